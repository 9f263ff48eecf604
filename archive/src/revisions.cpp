// Provenance in the archive: revisions written with each change, runs,
// retention, and reading them back (a record's history, the record at a
// revision). How each is stored: provenance_codec.cpp.
#include "provenance_codec.hpp"
#include "store.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace defter::archive {

// ---- Writing ----------------------------------------------------------------

void WriteBatch::set_origin(Origin origin) { txn_->origin = std::move(origin); }
void WriteBatch::set_source(std::string source) { txn_->origin.source = std::move(source); }

Status WriteBatch::write_revision(RevisionDraft& draft) {
  if (draft.parts.empty() || !txn_->keep_revisions) return {};
  std::string prefix = draft.record + '\0';
  std::uint64_t n = 1;
  if (auto last = txn_->last_with_prefix(kRevisions, prefix)) n = seq_of(last->first.substr(prefix.size())) + 1;
  if (txn_->now.empty()) txn_->now = now_utc();
  const Origin& o = txn_->origin;
  json j = {{"n", n},           {"at", txn_->now}, {"who", o.who},          {"how", o.how},
            {"src", o.source},  {"run", o.run},    {"change", draft.change}, {"parts", std::move(draft.parts)}};
  std::string key = revision_key(draft.record, n);
  if (auto s = put_value(kRevisions, key, seal(kRevisions, key, to_cbor(j))); !s.ok()) return s;
  if (o.run == 0) return {};
  // The run's first revision of the record: what its revert goes back to.
  std::string rr = seq_key(o.run) + draft.record;
  std::string first = seq_key(n);
  MDB_val k = as_val(rr), v = as_val(first);
  int rc = mdb_put(txn_->txn, txn_->dbis[kRunRecords], &k, &v, MDB_NOOVERWRITE);
  if (rc == MDB_MAP_FULL) txn_->map_full = true;
  if (rc != 0 && rc != MDB_KEYEXIST) return write_error(rc, "write to run_records", txn_->archive->dir());
  return {};
}

Result<std::uint64_t> WriteBatch::begin_run(Run run) {
  run.id = 1;
  if (auto last = txn_->last_with_prefix(kRuns, "")) run.id = seq_of(last->first) + 1;
  if (auto s = put_run(run); !s.ok()) return s;
  return run.id;
}

Status start_run(Archive& archive, Run& run) {
  return archive.write([&](WriteBatch& batch) -> Status {
    auto id = batch.begin_run(run);
    if (!id) return id.status();
    run.id = *id;
    return {};
  });
}

Status WriteBatch::put_run(const Run& run) {
  std::string key = seq_key(run.id);
  return put_value(kRuns, key, seal(kRuns, key, to_cbor(run_json(run))));
}

Status WriteBatch::restore(RecordType type, std::string_view id, const std::vector<StoredPart>& parts) {
  bool author = type == RecordType::kAuthor;
  auto db_key = [&](const StoredPart& p) -> std::pair<int, std::string> {
    if (author) return {kAuthors, std::string(id)};
    if (p.lang.empty()) return {kArticles, std::string(id)};
    return {kTranslations, pair_key(id, p.lang)};
  };
  const StoredPart* meta = nullptr;
  for (const auto& p : parts)
    if (p.lang.empty()) meta = &p;
  std::string what = std::string(schema::type_name(type)) + " " + std::string(id);
  bool existed = txn_->get(author ? kAuthors : kArticles, id).has_value();
  bool exists = meta ? meta->stored.has_value() : existed;

  // What would break a reference is refused before anything is written.
  if (author && !exists && existed)
    if (auto named = articles_by_author(id); !named.empty())
      return Status(Code::kConflict, "named by article(s) " + named.front() + (named.size() > 1 ? ", ..." : "") + "; it stays");
  std::vector<std::string> new_authors, old_authors;
  if (!author && meta && meta->stored) {
    auto a = decode<Article>(*meta->stored, what);
    if (!a) return a.status();
    new_authors = a->authors;
    for (const auto& name : new_authors)
      if (!has_author(name)) return Status(Code::kConflict, "it names author " + name + ", which is gone; it stays");
  }
  if (!author && !exists) {
    // No translation may outlive its article.
    std::string prefix = pair_key(id, "");
    std::set<std::string> kept;
    Status scanned = txn_->scan(kTranslations, prefix, prefix, [&](std::string_view key, std::string_view) {
      kept.insert(std::string(key.substr(prefix.size())));
      return true;
    });
    if (!scanned.ok()) return scanned;
    for (const auto& p : parts)
      if (!p.lang.empty() && !p.stored) kept.erase(p.lang);
    if (!kept.empty()) return Status(Code::kConflict, "it has a translation (" + *kept.begin() + ") its removal would orphan; it stays");
  }
  RevisionDraft draft{record_key(type, id), !existed && exists ? "added" : existed && !exists ? "deleted" : "replaced"};
  auto apply = [&](const StoredPart& p) -> Status {
    auto [db, key] = db_key(p);
    auto old = txn_->get(db, key);
    std::optional<std::string> prev;
    if (old) prev = txn_->inner_copy(db, key, *old);
    if (!p.stored && !old) return {};
    if (p.stored && prev && *prev == *p.stored) return {};
    if (!author && p.lang.empty()) {
      if (prev)
        if (auto a = decode<Article>(*prev, what)) old_authors = a->authors;
      for (const auto& a : old_authors)
        if (auto s = del_value(kByAuthor, pair_key(a, id)); !s.ok()) return s;
      for (const auto& a : new_authors)
        if (auto s = put_value(kByAuthor, pair_key(a, id), ""); !s.ok()) return s;
    }
    Status s = p.stored ? put_value(db, key, seal(db, key, *p.stored)) : del_value(db, key);
    if (!s.ok()) return s;
    draft.add(p.lang, !old ? "added" : p.stored ? "replaced" : "deleted", prev);
    RecordType logged = author ? RecordType::kAuthor : p.lang.empty() ? RecordType::kArticle : RecordType::kTranslation;
    return log_change(p.stored ? ChangeOp::kPut : ChangeOp::kDelete, logged, id, p.lang);
  };
  // The metadata first when it is put, last when it is removed.
  if (meta && meta->stored)
    if (auto s = apply(*meta); !s.ok()) return s;
  for (const auto& p : parts)
    if (&p != meta)
      if (auto s = apply(p); !s.ok()) return s;
  if (meta && !meta->stored)
    if (auto s = apply(*meta); !s.ok()) return s;
  return write_revision(draft);
}

// ---- Retention ----------------------------------------------------------------

Result<PruneReport> prune_revisions(Archive& archive, std::uint64_t keep) {
  if (keep == 0) return Status(Code::kInvalidArgument, "keep at least one revision of each record");
  PruneReport report;
  std::string resume;  // the first key of the next transaction (a record's first revision)
  for (bool done = false; !done;) {
    PruneReport batch_report;
    std::string next;
    Status s = archive.write([&](WriteBatch& batch) -> Status {
      batch_report = {};
      next.clear();
      TxnHandle& txn = *batch.txn_;
      std::vector<std::string> doomed;
      std::string record;
      std::vector<std::pair<std::string, std::uint64_t>> revisions;  // key, run
      auto decide = [&] {
        if (revisions.empty()) return;
        ++batch_report.records;
        std::size_t n = revisions.size();
        // The newest run's block: its revisions back to the first write by another.
        std::size_t block = n - 1;
        std::uint64_t run = revisions.back().second;
        while (run != 0 && block > 0 && revisions[block - 1].second == run) --block;
        for (std::size_t i = 0; i < n; ++i) {
          if (i + keep < n && i < block) doomed.push_back(revisions[i].first);
          else ++batch_report.kept;
        }
        revisions.clear();
      };
      std::size_t seen = 0;
      Status bad;
      Status scanned = txn.scan(kRevisions, resume, "", [&](std::string_view key, std::string_view value) {
        std::string this_record(key.substr(0, key.size() - 8));
        if (this_record != record) {
          decide();
          if (seen >= 4096) {
            next = std::string(key);  // start the next transaction at this record
            return false;
          }
          record = this_record;
        }
        ++seen;
        auto j = revision_json(txn, key, value);
        if (!j) {
          bad = j.status();
          return false;
        }
        revisions.emplace_back(std::string(key), j->value("run", std::uint64_t{0}));
        return true;
      });
      if (!scanned.ok()) return scanned;
      if (!bad.ok()) return bad;
      if (next.empty()) decide();
      for (const auto& key : doomed)
        if (auto d = batch.del_value(kRevisions, key); !d.ok()) return d;
      batch_report.removed = doomed.size();
      return {};
    });
    if (!s.ok()) return s;
    report.records += batch_report.records;
    report.removed += batch_report.removed;
    report.kept += batch_report.kept;
    done = next.empty();
    resume = next;
  }
  return report;
}

// ---- Reading ----------------------------------------------------------------

namespace {

using PartMap = std::map<std::string, std::optional<std::string>>;

// A part's value as JSON (an object), or null when absent or unreadable.
json part_json(const std::optional<std::string>& stored) {
  if (!stored) return nullptr;
  auto cbor = cbor_of(*stored);
  if (!cbor) return nullptr;
  try {
    return json::from_cbor(*cbor);
  } catch (const json::exception&) {
    return nullptr;
  }
}

std::string text_of(const json& v) {
  if (v.is_null()) return "";
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  for (auto& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s;
}

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// At most kShort characters of s from byte `from` (a character's start),
// with "..." where it was cut.
constexpr std::size_t kShort = 80;
std::string excerpt(const std::string& s, std::size_t from) {
  std::size_t end = from, chars = 0;
  while (end < s.size() && chars < kShort) {
    ++end;
    while (end < s.size() && continuation(s[end])) ++end;
    ++chars;
  }
  return (from > 0 ? "..." : "") + s.substr(from, end - from) + (end < s.size() ? "..." : "");
}

// Short forms of a changed value, both starting a little before where they
// first differ, so that a change deep in a long text shows.
std::pair<std::string, std::string> short_pair(const json& before, const json& after) {
  std::string a = text_of(before), b = text_of(after);
  std::size_t same = 0;
  while (same < a.size() && same < b.size() && a[same] == b[same]) ++same;
  std::size_t from = 0;
  if (same > kShort / 2) {
    // Some twenty characters of what they share, from a character's start.
    from = same;
    for (int back = 0; from > 0 && back < 20; ++back) {
      --from;
      while (from > 0 && continuation(a[from])) --from;
    }
  }
  return {before.is_null() ? "" : excerpt(a, std::min(from, a.size())), after.is_null() ? "" : excerpt(b, std::min(from, b.size()))};
}

// The fields that differ between two values of one part.
void diff_part(const std::string& lang, const json& before, const json& after, std::vector<FieldChange>& out) {
  std::set<std::string> keys;
  for (const json* side : {&before, &after})
    if (side->is_object())
      for (auto it = side->begin(); it != side->end(); ++it) keys.insert(it.key());
  for (const auto& k : keys) {
    if (k == "type" || k == "id" || k == "article" || k == "lang") continue;  // what names the record, never changed
    bool had = before.is_object() && before.contains(k), has = after.is_object() && after.contains(k);
    if (had && has && before[k] == after[k]) continue;
    auto [was, is] = short_pair(had ? before[k] : json(nullptr), has ? after[k] : json(nullptr));
    out.push_back({lang, k, !had ? "added" : !has ? "removed" : "changed", was, is});
  }
}

}  // namespace

// The record's parts as they are now, by language ("" the author or the metadata).
static Result<PartMap> current_parts(const TxnHandle& txn, RecordType type, std::string_view id) {
  bool author = type == RecordType::kAuthor;
  std::string what = std::string(schema::type_name(type)) + " " + std::string(id);
  PartMap parts;
  if (auto v = txn.get(author ? kAuthors : kArticles, id)) {
    auto inner = txn.unseal(author ? kAuthors : kArticles, id, *v, what);
    if (!inner) return inner.status();
    parts[""] = std::string(*inner);
  }
  if (author) return parts;
  std::string prefix = pair_key(id, "");
  Status bad;
  Status s = txn.scan(kTranslations, prefix, prefix, [&](std::string_view key, std::string_view value) {
    auto inner = txn.unseal(kTranslations, key, value, what + "/" + std::string(key.substr(prefix.size())));
    if (!inner) {
      bad = inner.status();
      return false;
    }
    parts[std::string(key.substr(prefix.size()))] = std::string(*inner);
    return true;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return parts;
}

// Sets each part a stored revision changed to its value before it.
static void undo(PartMap& parts, const json& revision) {
  for (const auto& p : revision["parts"]) {
    std::string lang = p.value("lang", "");
    if (p["prev"].is_binary()) {
      const auto& b = p["prev"].get_binary();
      parts[lang] = std::string(b.begin(), b.end());
    } else {
      parts[lang] = std::nullopt;
    }
  }
}

// The stored revisions of a record with a number above `above`, oldest
// first; `newest` is set to the newest number (0: none).
static Result<std::vector<json>> revisions_above(const TxnHandle& txn, RecordType type, std::string_view id,
                                                 std::uint64_t above, std::uint64_t& newest) {
  std::string prefix = record_key(type, id) + '\0';
  std::vector<json> out;
  newest = 0;
  Status bad;
  Status s = txn.scan(kRevisions, prefix, prefix, [&](std::string_view key, std::string_view value) {
    std::uint64_t number = seq_of(key.substr(prefix.size()));
    newest = number;
    if (number <= above) return true;
    auto j = revision_json(txn, key, value);
    if (!j) {
      bad = j.status();
      return false;
    }
    out.push_back(std::move(*j));
    return true;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return out;
}

Result<std::vector<Revision>> Reader::history(RecordType type, std::string_view id, bool fields) const {
  std::uint64_t newest = 0;
  auto stored = revisions_above(*txn_, type, id, 0, newest);
  if (!stored) return stored.status();
  PartMap parts;
  if (fields) {
    auto now = current_parts(*txn_, type, id);
    if (!now) return now.status();
    parts = std::move(*now);
  }
  std::vector<Revision> out;
  for (auto it = stored->rbegin(); it != stored->rend(); ++it) {
    out.push_back(revision_of(*it));
    if (!fields) continue;
    for (const auto& p : (*it)["parts"]) {
      std::string lang = p.value("lang", "");
      json before = p["prev"].is_binary() ? part_json(std::string(p["prev"].get_binary().begin(), p["prev"].get_binary().end()))
                                          : json(nullptr);
      diff_part(lang, before, part_json(parts[lang]), out.back().fields);
    }
    undo(parts, *it);
  }
  return out;
}

Result<std::optional<Revision>> Reader::last_revision(RecordType type, std::string_view id) const {
  auto last = txn_->last_with_prefix(kRevisions, record_key(type, id) + '\0');
  if (!last) return std::optional<Revision>();
  auto j = revision_json(*txn_, last->first, last->second);
  if (!j) return j.status();
  return std::optional<Revision>(revision_of(*j));
}

Status Reader::for_each_record_stamp(RecordType type, std::string_view after,
                                     const std::function<bool(const RecordStamp&)>& fn) const {
  const int db = type == RecordType::kAuthor ? kAuthors : kArticles;
  const std::string kind = record_key(type, "");
  std::string at(after);
  while (true) {
    // The first id past `at` that the records hold, and the first that
    // the revisions name (a record's revision keys are its key, NUL, a
    // number: the key with \x01 after it is past them all).
    std::optional<std::string> live, revised;
    Status s = txn_->scan(db, at.empty() ? std::string() : at + '\0', "", [&](std::string_view key, std::string_view) {
      live = std::string(key);
      return false;
    });
    if (!s.ok()) return s;
    s = txn_->scan(kRevisions, at.empty() ? kind : kind + at + '\x01', kind, [&](std::string_view key, std::string_view) {
      revised = std::string(key.substr(kind.size(), key.find('\0') - kind.size()));
      return false;
    });
    if (!s.ok()) return s;
    if (!live && !revised) return {};
    RecordStamp stamp;
    stamp.id = !live ? *revised : !revised ? *live : std::min(*live, *revised);
    stamp.exists = live && *live == stamp.id;
    if (revised && *revised == stamp.id) {
      auto last = last_revision(type, stamp.id);
      if (!last) return last.status();
      stamp.last = std::move(*last);
    }
    if (!fn(stamp)) return {};
    at = std::move(stamp.id);
  }
}

Result<std::vector<StoredPart>> Reader::parts_at(RecordType type, std::string_view id, std::uint64_t n) const {
  std::string what = std::string(schema::type_name(type)) + " " + std::string(id);
  auto now = current_parts(*txn_, type, id);
  if (!now) return now.status();
  PartMap parts = std::move(*now);
  std::uint64_t newest = 0;
  auto later = revisions_above(*txn_, type, id, n, newest);
  if (!later) return later.status();
  if (newest == 0 || n > newest)
    return Status(Code::kNotFound, what + " has no revision " + std::to_string(n) +
                                       (newest ? " (its newest is " + std::to_string(newest) + ")" : " (it has no revisions)"));
  // Every revision after n must be there to undo (pruning removes the oldest).
  std::uint64_t expect = n + 1;
  for (const auto& r : *later)
    if (r.value("n", std::uint64_t{0}) != expect++)
      return Status(Code::kNotFound, what + ": revision " + std::to_string(n) + " is older than the revisions kept (pruned)");
  for (auto it = later->rbegin(); it != later->rend(); ++it) undo(parts, *it);
  std::vector<StoredPart> out;
  for (auto& [lang, value] : parts) out.push_back({lang, std::move(value)});
  return out;
}

Result<Version> Reader::version(RecordType type, std::string_view id, std::uint64_t n) const {
  bool author = type == RecordType::kAuthor;
  std::string what = std::string(schema::type_name(type)) + " " + std::string(id);
  auto at = parts_at(type, id, n);
  if (!at) return at.status();
  std::map<std::string, std::optional<std::string>> parts;
  for (auto& p : *at) parts[p.lang] = std::move(p.stored);
  auto meta = parts.find("");
  if (meta == parts.end() || !meta->second) return Version(std::nullopt);
  if (author) {
    auto a = decode<Author>(*meta->second, what);
    if (!a) return a.status();
    return Version(schema::Record(std::move(*a)));
  }
  auto a = decode<Article>(*meta->second, what);
  if (!a) return a.status();
  for (const auto& [lang, stored] : parts) {
    if (lang.empty() || !stored) continue;
    auto t = decode<Translation>(*stored, what + "/" + lang);
    if (!t) return t.status();
    a->translations[lang] = std::move(*t);
  }
  return Version(schema::Record(std::move(*a)));
}

Result<std::vector<Run>> Reader::runs() const {
  std::vector<Run> out;
  Status bad;
  Status s = txn_->scan(kRuns, "", "", [&](std::string_view key, std::string_view value) {
    auto j = stored_json(*txn_, kRuns, key, value, "run " + std::to_string(seq_of(key)));
    if (!j) {
      bad = j.status();
      return false;
    }
    out.push_back(run_of(*j));
    return true;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return out;
}

Result<Run> Reader::run(std::uint64_t id) const {
  std::string key = seq_key(id);
  auto v = txn_->get(kRuns, key);
  if (!v) return Status(Code::kNotFound, "no run " + std::to_string(id));
  auto j = stored_json(*txn_, kRuns, key, *v, "run " + std::to_string(id));
  if (!j) return j.status();
  return run_of(*j);
}

Result<std::vector<Reader::RunRecord>> Reader::run_records(std::uint64_t run) const {
  std::vector<RunRecord> out;
  std::string prefix = seq_key(run);
  Status s = txn_->scan(kRunRecords, prefix, prefix, [&](std::string_view key, std::string_view value) {
    std::string_view record = key.substr(prefix.size());
    if (record.empty()) return true;
    out.push_back({record[0] == 'a' ? RecordType::kAuthor : RecordType::kArticle, std::string(record.substr(1)), seq_of(value)});
    return true;
  });
  if (!s.ok()) return s;
  return out;
}

std::vector<Status> Reader::check_provenance() const {
  std::vector<Status> problems;
  std::set<std::uint64_t> runs;
  if (auto s = txn_->scan(kRuns, "", "", [&](std::string_view key, std::string_view) {
        runs.insert(seq_of(key));
        return true;
      });
      !s.ok())
    problems.push_back(s);
  // Each record's newest revision, to hold against whether the record is there.
  std::string record, last_change;
  auto check_record = [&] {
    if (record.empty()) return;
    bool author = record[0] == 'a';
    std::string id = record.substr(1);
    bool there = author ? has_author(id) : has_article(id);
    std::string what = std::string(author ? "author " : "article ") + id;
    if (there && last_change == "deleted")
      problems.emplace_back(Code::kCorruption, what + ": its newest revision deletes it, but it is in the archive");
    if (!there && last_change != "deleted")
      problems.emplace_back(Code::kCorruption, what + ": it has revisions but is not in the archive, and none deleted it");
  };
  Status scanned = txn_->scan(kRevisions, "", "", [&](std::string_view key, std::string_view value) {
    if (key.size() < 11 || key[key.size() - 9] != '\0' || (key[0] != 'a' && key[0] != 'r')) {
      problems.emplace_back(Code::kCorruption, "a revision under a key that names no record");
      return true;
    }
    std::string this_record(key.substr(0, key.size() - 9));
    if (this_record != record) {
      check_record();
      record = this_record;
    }
    auto j = revision_json(*txn_, key, value);
    if (!j) {
      problems.push_back(j.status());
      last_change.clear();
      return true;
    }
    last_change = j->value("change", "");
    std::uint64_t run = j->value("run", std::uint64_t{0});
    if (run != 0 && !runs.count(run))
      problems.emplace_back(Code::kCorruption, (record[0] == 'a' ? "author " : "article ") + record.substr(1) +
                                                   ": revision " + std::to_string(seq_of(key.substr(key.size() - 8))) +
                                                   " names run " + std::to_string(run) + ", which the archive does not have");
    return true;
  });
  if (!scanned.ok()) problems.push_back(scanned);
  check_record();
  return problems;
}

}  // namespace defter::archive
