// Writing the archive: records put and removed with their change-log entries in one transaction.
#include "store.hpp"

namespace defter::archive {

// ---- WriteBatch -----------------------------------------------------------

Status WriteBatch::put_value(int db, std::string_view key, std::string_view value) {
  MDB_val k = as_val(key), v = as_val(value);
  int rc = mdb_put(txn_->txn, txn_->dbis[db], &k, &v, 0);
  if (rc == MDB_MAP_FULL) txn_->map_full = true;
  return rc ? write_error(rc, std::string("write to ") + kDbNames[db], txn_->archive->dir()) : Status();
}

Status WriteBatch::del_value(int db, std::string_view key) {
  MDB_val k = as_val(key);
  int rc = mdb_del(txn_->txn, txn_->dbis[db], &k, nullptr);
  if (rc == MDB_MAP_FULL) txn_->map_full = true;
  if (rc == MDB_NOTFOUND) return {};
  return rc ? from_mdb(rc, std::string("delete from ") + kDbNames[db]) : Status();
}

Status WriteBatch::log_change(ChangeOp op, RecordType type, std::string_view id, std::string_view lang) {
  if (txn_->next_seq == 0) txn_->next_seq = last_seq() + 1;
  json j = {{"op", op == ChangeOp::kPut ? "put" : "del"}, {"type", schema::type_name(type)}, {"id", id}};
  if (!lang.empty()) j["lang"] = lang;
  return put_value(kChanges, seq_key(txn_->next_seq++), to_cbor(j));
}

EncodedRecord encode(const schema::Record& record) {
  EncodedRecord e;
  e.type = schema::type_of(record);
  if (auto* author = std::get_if<Author>(&record)) {
    e.id = author->id;
    e.cbor = to_cbor(json(*author));
  } else if (auto* tr = std::get_if<schema::TranslationRecord>(&record)) {
    e.id = tr->article;
    e.lang = tr->lang;
    e.cbor = to_cbor(json(tr->translation));
  } else {
    const Article& article = std::get<Article>(record);
    e.id = article.id;
    e.authors = article.authors;
    e.cbor = to_cbor(article_meta_json(article));
    for (const auto& [lang, t] : article.translations) {
      std::string cbor = to_cbor(json(t));
      std::string stored = stored_form(cbor);
      e.translations.push_back({lang, std::move(cbor), std::move(stored)});
    }
  }
  e.stored = stored_form(e.cbor);
  return e;
}

// Writes one value unless the stored one holds the same CBOR; a change is
// noted in `draft` with the part's previous value.
Result<PutOutcome> WriteBatch::put_part(int db, std::string_view key, const std::string& cbor,
                                        const std::string& stored, bool& existed, RevisionDraft& draft,
                                        std::string_view lang) {
  std::string sealed = seal(db, key, stored);
  auto old = txn_->get(db, key);
  existed = old.has_value();
  if (old && *old == sealed) return PutOutcome::kUnchanged;
  std::optional<std::string> prev;
  if (old) {
    // A damaged value is replaced: writing the record again repairs it
    // (its revision keeps no previous value).
    if (auto inner = txn_->unseal(db, key, *old, "")) {
      auto old_cbor = cbor_of(*inner);
      if (old_cbor && *old_cbor == cbor) return PutOutcome::kUnchanged;
      prev.emplace(*inner);
    }
  }
  draft.add(lang, existed ? "replaced" : "added", prev);
  if (auto s = put_value(db, key, sealed); !s.ok()) return s;
  return existed ? PutOutcome::kReplaced : PutOutcome::kAdded;
}

Result<PutOutcome> WriteBatch::put(const schema::Record& record) { return put(encode(record)); }

Result<PutOutcome> WriteBatch::put(const EncodedRecord& e) {
  bool existed = false;
  RevisionDraft draft{record_key(e.type, e.id), "replaced"};
  if (e.type == RecordType::kAuthor || e.type == RecordType::kTranslation) {
    bool author = e.type == RecordType::kAuthor;
    std::string key = author ? e.id : pair_key(e.id, e.lang);
    auto outcome = put_part(author ? kAuthors : kTranslations, key, e.cbor, e.stored, existed, draft,
                            author ? "" : e.lang);
    if (outcome && *outcome != PutOutcome::kUnchanged) {
      if (auto s = log_change(ChangeOp::kPut, e.type, e.id, e.lang); !s.ok()) return s;
      if (author && !existed) draft.change = "added";
      if (auto s = write_revision(draft); !s.ok()) return s;
    }
    return outcome;
  }

  // An article: the record, what names its authors, then its translations.
  std::optional<std::string_view> old = txn_->get(kArticles, e.id);
  std::vector<std::string> old_authors;
  if (old && *old != seal(kArticles, e.id, e.stored))
    if (auto inner = txn_->unseal(kArticles, e.id, *old, "article " + e.id))
      if (auto previous = decode<Article>(*inner, "article " + e.id)) old_authors = previous->authors;
  auto outcome = put_part(kArticles, e.id, e.cbor, e.stored, existed, draft, "");
  if (!outcome) return outcome;
  bool changed = *outcome != PutOutcome::kUnchanged;
  if (changed) {
    for (const auto& a : old_authors)
      if (auto s = del_value(kByAuthor, pair_key(a, e.id)); !s.ok()) return s;
    for (const auto& a : e.authors)
      if (auto s = put_value(kByAuthor, pair_key(a, e.id), ""); !s.ok()) return s;
    if (auto s = log_change(ChangeOp::kPut, RecordType::kArticle, e.id, ""); !s.ok()) return s;
  }
  for (const auto& part : e.translations) {
    bool part_existed = false;
    auto t = put_part(kTranslations, pair_key(e.id, part.lang), part.cbor, part.stored, part_existed, draft, part.lang);
    if (!t) return t;
    if (*t == PutOutcome::kUnchanged) continue;
    changed = true;
    if (auto s = log_change(ChangeOp::kPut, RecordType::kTranslation, e.id, part.lang); !s.ok()) return s;
  }
  if (changed) {
    if (!existed) draft.change = "added";
    if (auto s = write_revision(draft); !s.ok()) return s;
  }
  if (!existed) return PutOutcome::kAdded;
  return changed ? PutOutcome::kReplaced : PutOutcome::kUnchanged;
}

Result<bool> WriteBatch::remove(RecordType type, std::string_view id, std::string_view lang) {
  if (type == RecordType::kTranslation) {
    std::string key = pair_key(id, lang);
    auto old = txn_->get(kTranslations, key);
    if (!old) return false;
    RevisionDraft draft{record_key(type, id), "replaced"};
    draft.add(lang, "deleted", txn_->inner_copy(kTranslations, key, *old));
    if (auto s = del_value(kTranslations, key); !s.ok()) return s;
    if (auto s = log_change(ChangeOp::kDelete, type, id, lang); !s.ok()) return s;
    if (auto s = write_revision(draft); !s.ok()) return s;
    return true;
  }
  RevisionDraft draft{record_key(type, id), "deleted"};
  if (type == RecordType::kAuthor) {
    auto old = txn_->get(kAuthors, id);
    if (!old) return false;
    auto named = articles_by_author(id);
    if (!named.empty()) {
      std::string list;
      for (std::size_t i = 0; i < named.size() && i < 5; ++i) list += (i ? ", " : "") + named[i];
      if (named.size() > 5) list += ", ...";
      return Status(Code::kConflict, "author '" + std::string(id) + "' is named by " +
                                         std::to_string(named.size()) + " article(s) (" + list +
                                         "); delete or change those first");
    }
    draft.add("", "deleted", txn_->inner_copy(kAuthors, id, *old));
    if (auto s = del_value(kAuthors, id); !s.ok()) return s;
    if (auto s = log_change(ChangeOp::kDelete, type, id, ""); !s.ok()) return s;
    if (auto s = write_revision(draft); !s.ok()) return s;
    return true;
  }
  auto article = this->article(id, false);
  if (!article) return article.status().code() == Code::kNotFound ? Result<bool>(false) : article.status();
  for (const auto& a : article->authors)
    if (auto s = del_value(kByAuthor, pair_key(a, id)); !s.ok()) return s;
  std::vector<std::string> keys;
  std::string prefix = pair_key(id, "");
  if (auto s = txn_->scan(kTranslations, prefix, prefix, [&](std::string_view key, std::string_view value) {
        keys.emplace_back(key);
        draft.add(key.substr(prefix.size()), "deleted", txn_->inner_copy(kTranslations, key, value));
        return true;
      });
      !s.ok())
    return s;
  if (auto old = txn_->get(kArticles, id)) draft.add("", "deleted", txn_->inner_copy(kArticles, id, *old));
  for (const auto& key : keys)
    if (auto s = del_value(kTranslations, key); !s.ok()) return s;
  if (auto s = del_value(kArticles, id); !s.ok()) return s;
  if (auto s = log_change(ChangeOp::kDelete, type, id, ""); !s.ok()) return s;
  if (auto s = write_revision(draft); !s.ok()) return s;
  return true;
}

}  // namespace defter::archive
