// Reading the archive: records, their JSON, listings, damage, the change log; Snapshot and its stats.
#include "store.hpp"

namespace defter::archive {

// ---- Reader ---------------------------------------------------------------

Result<Author> Reader::author(std::string_view id) const {
  auto v = txn_->get(kAuthors, id);
  if (!v) return Status(Code::kNotFound, "no author '" + std::string(id) + "'");
  std::string what = "author " + std::string(id);
  auto inner = txn_->unseal(kAuthors, id, *v, what);
  if (!inner) return inner.status();
  return decode<Author>(*inner, what);
}

Result<Translation> Reader::translation(std::string_view article_id, std::string_view lang) const {
  std::string key = pair_key(article_id, lang);
  auto v = txn_->get(kTranslations, key);
  if (!v) return Status(Code::kNotFound, "no translation '" + std::string(lang) + "' of article '" +
                                             std::string(article_id) + "'");
  std::string what = "translation " + std::string(article_id) + "/" + std::string(lang);
  auto inner = txn_->unseal(kTranslations, key, *v, what);
  if (!inner) return inner.status();
  return decode<Translation>(*inner, what);
}


Result<std::string> Reader::article_json(std::string_view id, std::string_view lang) const {
  std::string what = "article " + std::string(id);
  auto v = txn_->get(kArticles, id);
  if (!v) return Status(Code::kNotFound, "no article '" + std::string(id) + "'");
  // The translations (in language order, the keys' order) and the size of
  // their CBOR, which the JSON's size follows.
  std::vector<std::pair<std::string_view, std::string_view>> translations;
  std::string prefix = pair_key(id, "");
  Status inner;
  std::size_t cbor_bytes = 0;
  Status s = txn_->scan(kTranslations, prefix, prefix, [&](std::string_view key, std::string_view value) {
    std::string_view l = key.substr(prefix.size());
    if (!lang.empty() && l != lang) return true;
    std::string part = "translation " + std::string(id) + "/" + std::string(l);
    auto unsealed = txn_->unseal(kTranslations, key, value, part);
    if (!unsealed) {
      inner = unsealed.status();
      return false;
    }
    auto f = frame_of(*unsealed);
    if (!f) {
      inner = f.status().with_context(part);
      return false;
    }
    cbor_bytes += f->size;
    translations.emplace_back(l, *unsealed);
    return true;
  });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  if (!lang.empty() && translations.empty())
    return Status(Code::kNotFound, "article '" + std::string(id) + "' has no translation '" + std::string(lang) + "'");
  thread_local CborScratch article_scratch, translation_scratch;
  auto article_value = txn_->unseal(kArticles, id, *v, what);
  if (!article_value) return article_value.status();
  auto cbor = article_scratch.view(*article_value);
  if (!cbor) return cbor.status().with_context(what);
  std::string out;
  out.reserve((cbor->size() + cbor_bytes) * 9 / 8 + 64 * translations.size() + 256);
  CborToJson t(*cbor, out);
  // Written straight into `out`, where the article's keys place them.
  auto write_translations = [&] {
    out += '{';
    for (std::size_t i = 0; i < translations.size(); ++i) {
      const auto& [l, value] = translations[i];
      auto one = translation_scratch.view(value);
      if (!one) {
        inner = one.status().with_context("translation " + std::string(id) + "/" + std::string(l));
        return false;
      }
      if (i) out += ',';
      out += '"';
      out += l;  // a language tag: nothing to escape
      out += "\":";
      CborToJson tj(*one, out);
      if (!tj.value() || !tj.done()) return false;
    }
    out += '}';
    return true;
  };
  // The records' strings are valid UTF-8: they are parsed by nlohmann::json
  // at import, which refuses anything else.
  if (t.top_map("translations", write_translations) && t.done()) return out;
  if (!inner.ok()) return inner;
  // Not as expected: decode the records and let nlohmann write them.
  auto article = this->article(id);
  if (!article) return article.status();
  if (!lang.empty())
    for (auto it = article->translations.begin(); it != article->translations.end();)
      it = it->first == lang ? std::next(it) : article->translations.erase(it);
  return json(*article).dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<std::string> Reader::translation_body(std::string_view article_id, std::string_view lang) const {
  std::string what = "translation " + std::string(article_id) + "/" + std::string(lang);
  std::string key = pair_key(article_id, lang);
  auto v = txn_->get(kTranslations, key);
  if (!v) return Status(Code::kNotFound, "no " + what);
  auto stored = txn_->unseal(kTranslations, key, *v, what);
  if (!stored) return stored.status();
  auto cbor = cbor_of(*stored);
  if (!cbor) return cbor.status().with_context(what);
  if (auto body = CborBody(*cbor).find()) return std::move(*body);
  auto whole = decode<Translation>(*stored, what);
  if (!whole) return whole.status();
  return std::move(whole->body);
}

Result<Article> Reader::article(std::string_view id, bool with_translations) const {
  auto v = txn_->get(kArticles, id);
  if (!v) return Status(Code::kNotFound, "no article '" + std::string(id) + "'");
  std::string what = "article " + std::string(id);
  auto stored = txn_->unseal(kArticles, id, *v, what);
  if (!stored) return stored.status();
  auto article = decode<Article>(*stored, what);
  if (!article || !with_translations) return article;
  std::string prefix = pair_key(id, "");
  Status inner;
  Status s = txn_->scan(kTranslations, prefix, prefix, [&](std::string_view key, std::string_view value) {
    std::string part = "translation " + std::string(id) + "/" + std::string(key.substr(prefix.size()));
    auto sealed = txn_->unseal(kTranslations, key, value, part);
    if (!sealed) {
      inner = sealed.status();
      return false;
    }
    auto t = decode<Translation>(*sealed, part);
    if (!t) {
      inner = t.status();
      return false;
    }
    article->translations.emplace(std::string(key.substr(prefix.size())), std::move(*t));
    return true;
  });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  return article;
}

bool Reader::has_author(std::string_view id) const { return txn_->get(kAuthors, id).has_value(); }
bool Reader::has_article(std::string_view id) const { return txn_->get(kArticles, id).has_value(); }

namespace {
// The second halves of the pair keys "first\0second" of a database, in order.
std::vector<std::string> seconds_of(const TxnHandle& txn, int db, std::string_view first) {
  std::vector<std::string> out;
  std::string prefix = pair_key(first, "");
  (void)txn.scan(db, prefix, prefix, [&](std::string_view key, std::string_view) {
    out.emplace_back(key.substr(prefix.size()));
    return true;
  });
  return out;
}
}  // namespace

std::vector<std::string> Reader::translation_languages(std::string_view article_id) const {
  return seconds_of(*txn_, kTranslations, article_id);
}

std::vector<std::string> Reader::articles_by_author(std::string_view author_id) const {
  return seconds_of(*txn_, kByAuthor, author_id);
}

std::vector<std::string> Reader::author_ids() const {
  std::vector<std::string> ids;
  Status s = txn_->scan(kAuthors, "", "", [&](std::string_view key, std::string_view) {
    ids.emplace_back(key);
    return true;
  });
  if (!s.ok()) ids.clear();  // only ever a suggestion: none rather than a wrong one
  return ids;
}

Status Reader::for_each_author(const std::function<bool(const Author&)>& fn, const DamageFn& on_damage) const {
  Status inner;
  Status s = txn_->scan(kAuthors, "", "", [&](std::string_view key, std::string_view) {
    auto a = author(key);
    if (!a) {
      if (on_damage && a.status().code() == Code::kCorruption) {
        on_damage(a.status());
        return true;
      }
      inner = a.status();
      return false;
    }
    return fn(*a);
  });
  return s.ok() ? inner : s;
}

Status Reader::for_each_article(const std::function<bool(const Article&)>& fn, bool with_translations,
                                const DamageFn& on_damage) const {
  Status inner;
  Status s = txn_->scan(kArticles, "", "", [&](std::string_view key, std::string_view) {
    auto a = article(key, with_translations);
    if (a) return fn(*a);
    if (!on_damage || a.status().code() != Code::kCorruption) {
      inner = a.status();
      return false;
    }
    // What can be read of it: the article and its undamaged translations.
    auto salvaged = article(key, false);
    if (!salvaged) {
      on_damage(salvaged.status());
      return true;
    }
    if (with_translations)
      for (const auto& lang : translation_languages(key)) {
        auto t = translation(key, lang);
        if (t) salvaged->translations.emplace(lang, std::move(*t));
        else on_damage(t.status());
      }
    return fn(*salvaged);
  });
  return s.ok() ? inner : s;
}

std::vector<Status> Reader::damaged() const {
  std::vector<Status> out;
  auto note = [&](const Status& st) { out.push_back(st); };
  auto ignore_author = [](const Author&) { return true; };
  auto ignore_article = [](const Article&) { return true; };
  if (auto s = for_each_author(ignore_author, note); !s.ok()) out.push_back(s);
  if (auto s = for_each_article(ignore_article, true, note); !s.ok()) out.push_back(s);
  return out;
}

Status Reader::for_each_change(std::uint64_t after, const std::function<bool(const Change&)>& fn) const {
  Status inner;
  Status s = txn_->scan(kChanges, seq_key(after + 1), "", [&](std::string_view key, std::string_view value) {
    try {
      json j = json::from_cbor(value);
      Change c;
      c.seq = seq_of(key);
      c.op = j.at("op") == "del" ? ChangeOp::kDelete : ChangeOp::kPut;
      const std::string type = j.at("type");
      c.type = type == "author" ? RecordType::kAuthor
               : type == "article" ? RecordType::kArticle : RecordType::kTranslation;
      c.id = j.at("id");
      c.lang = j.value("lang", "");
      return fn(c);
    } catch (const json::exception& e) {
      inner = Status(Code::kCorruption, "change " + std::to_string(seq_of(key)) + ": " + e.what());
      return false;
    }
  });
  return s.ok() ? inner : s;
}

std::uint64_t Reader::last_seq() const {
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn_->txn, txn_->dbis[kChanges], &cursor) != 0) return 0;
  MDB_val k, v;
  std::uint64_t seq = mdb_cursor_get(cursor, &k, &v, MDB_LAST) == 0 ? seq_of(as_view(k)) : 0;
  mdb_cursor_close(cursor);
  return seq;
}

// ---- Snapshot -------------------------------------------------------------

Snapshot::Snapshot(std::unique_ptr<TxnHandle> txn) : Reader(txn.get()), owned_(std::move(txn)) {}
Snapshot::Snapshot(Snapshot&& other) noexcept : Reader(other.txn_), owned_(std::move(other.owned_)) {
  other.txn_ = nullptr;
}
Snapshot::~Snapshot() = default;

Stats Snapshot::stats() const {
  Stats stats;
  MDB_env* env = mdb_txn_env(txn_->txn);
  for (int db = 0; db < kDbCount; ++db) {
    MDB_stat st;
    if (mdb_stat(txn_->txn, txn_->dbis[db], &st) != 0) continue;
    std::uint64_t pages = st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
    stats.databases.push_back({kDbNames[db], st.ms_entries, pages * st.ms_psize});
    if (db == kAuthors) stats.authors = st.ms_entries;
    if (db == kArticles) stats.articles = st.ms_entries;
    if (db == kTranslations) stats.translations = st.ms_entries;
    if (db == kChanges) stats.changes = st.ms_entries;
  }
  std::map<std::string, std::uint64_t> per_lang, bios;
  (void)txn_->scan(kTranslations, "", "", [&](std::string_view key, std::string_view) {
    per_lang[std::string(key.substr(key.find('\0') + 1))]++;
    return true;
  });
  (void)for_each_author([&](const Author& a) {
    for (auto& [lang, text] : a.bio) bios[lang]++;
    return true;
  });
  stats.translations_per_lang.assign(per_lang.begin(), per_lang.end());
  stats.bios_per_lang.assign(bios.begin(), bios.end());
  stats.last_seq = last_seq();
  MDB_envinfo info;
  mdb_env_info(env, &info);
  stats.map_bytes = info.me_mapsize;
  const char* path = nullptr;
  struct stat st;
  if (mdb_env_get_path(env, &path) == 0 && ::stat((std::string(path) + "/data.mdb").c_str(), &st) == 0)
    stats.file_bytes = static_cast<std::uint64_t>(st.st_size);
  return stats;
}

}  // namespace defter::archive
