#include "defter/archive/archive.hpp"

#include <lmdb.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstdint>
#include <climits>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <system_error>

#include <nlohmann/json.hpp>

#include "cbor_text.hpp"
#include "values.hpp"

namespace defter::archive {

using nlohmann::json;
using namespace detail;
using schema::Article;
using schema::Author;
using schema::RecordType;
using schema::Translation;

namespace {

// Every named database, declared once; the index is its slot in Impl::dbis.
enum Db : int { kMeta, kAuthors, kArticles, kTranslations, kByAuthor, kChanges, kDbCount };
constexpr const char* kDbNames[kDbCount] = {"meta", "authors", "articles", "translations", "by_author",
                                            "changes"};

// LMDB reports a short write as EIO; on a full disk or at the file-size
// limit that is what a write gets. Tells those apart from a failing disk.
bool out_of_space(const std::filesystem::path& dir) {
  struct statvfs fs;
  if (::statvfs(dir.c_str(), &fs) == 0 &&
      static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize < (std::uint64_t{64} << 20))
    return true;
  rlimit limit;
  struct stat st;
  return ::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
         ::stat((dir / "data.mdb").c_str(), &st) == 0 &&
         static_cast<rlim_t>(st.st_size) + (std::uint64_t{64} << 20) > limit.rlim_cur;
}

Status from_mdb(int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + mdb_strerror(rc);
  switch (rc) {
    case ENOSPC: case EFBIG: case EDQUOT: case MDB_MAP_FULL:
      return {Code::kStorageFull, msg + " (free some disk space, then run the command again)"};
    case EACCES: case EROFS: case EPERM:
      return {Code::kReadOnly, msg};
    case MDB_CORRUPTED: case MDB_PAGE_NOTFOUND: case MDB_INVALID: case MDB_VERSION_MISMATCH:
      return {Code::kCorruption, msg};
    case MDB_NOTFOUND:
      return {Code::kNotFound, msg};
    default:
      return {Code::kIOError, msg};
  }
}

// Refuses a data file shorter than the pages its newest meta page counts.
Status check_file_size(MDB_env* env, const std::filesystem::path& file, const MDB_envinfo& info) {
  MDB_stat st;
  int fd = -1;
  struct stat fs;
  if (mdb_env_stat(env, &st) != 0 || mdb_env_get_fd(env, &fd) != 0 || ::fstat(fd, &fs) != 0) return {};
  std::uint64_t needed = (static_cast<std::uint64_t>(info.me_last_pgno) + 1) * st.ms_psize;
  if (static_cast<std::uint64_t>(fs.st_size) >= needed) return {};
  return {Code::kCorruption, file.string() + " is " + std::to_string(fs.st_size) + " bytes, but its pages reach " +
                                 std::to_string(needed) + " bytes: the file is cut short (restore the archive from a "
                                 "backup with defter restore)"};
}

// An error from a write or a commit, with a short write on a full disk
// reported as such.
Status write_error(int rc, std::string_view what, const std::filesystem::path& dir) {
  if (rc == EIO && out_of_space(dir))
    return {Code::kStorageFull, std::string(what) + ": the disk is full (or the file-size limit is reached); "
                                                    "free some disk space, then run the command again"};
  return from_mdb(rc, what);
}

MDB_val as_val(std::string_view s) { return {s.size(), const_cast<char*>(s.data())}; }
std::string_view as_view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

std::string pair_key(std::string_view a, std::string_view b) {
  std::string key(a);
  key += '\0';
  key += b;
  return key;
}

std::string seq_key(std::uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, seq >>= 8) key[static_cast<std::size_t>(i)] = static_cast<char>(seq & 0xff);
  return key;
}

std::uint64_t seq_of(std::string_view key) {
  std::uint64_t seq = 0;
  for (unsigned char c : key) seq = (seq << 8) | c;
  return seq;
}

json article_meta_json(const Article& a) {
  json j = a;
  j.erase("translations");
  return j;
}

}  // namespace

// An open LMDB transaction and what it needs.
struct TxnHandle {
  Archive* archive = nullptr;
  MDB_txn* txn = nullptr;
  const MDB_dbi* dbis = nullptr;
  std::shared_lock<std::shared_mutex> resize_guard;  // no map resize while this transaction lives
  std::uint64_t next_seq = 0;                        // write transactions: the next change number
  bool map_full = false;
  bool unsealed_allowed = false;  // an archive of format 1, or one being upgraded: values without a seal read

  // A record's stored value with its seal checked: the form inside it.
  // kCorruption naming `what` when the seal does not match (or is missing
  // where every value has one).
  Result<std::string_view> unseal(int db, std::string_view key, std::string_view stored, std::string_view what) const {
    auto damaged = [&](const char* why) {
      return Status(Code::kCorruption, std::string(what) + " is damaged (" + why +
                                           "); restore it from a backup, or save the rest with defter export --skip-damaged");
    };
    if (!stored.empty() && stored[0] == kSealTag) {
      if (stored.size() < kSealBytes) return damaged("its value is cut short");
      std::uint64_t h = 0;
      for (int i = 7; i >= 0; --i) h = h << 8 | static_cast<unsigned char>(stored[1 + static_cast<std::size_t>(i)]);
      std::string_view inner = stored.substr(kSealBytes);
      if (seal_hash(db, key, inner) != h) return damaged("its checksum does not match its key and value");
      return inner;
    }
    if (unsealed_allowed) return stored;
    return damaged("its value carries no checksum");
  }

  ~TxnHandle() {
    if (txn) mdb_txn_abort(txn);
  }

  // The raw stored bytes under key, valid until the transaction ends.
  std::optional<std::string_view> get(int db, std::string_view key) const {
    MDB_val k = as_val(key), v;
    if (mdb_get(txn, dbis[db], &k, &v) != 0) return std::nullopt;
    return as_view(v);
  }

  // Visits keys >= from while they start with prefix.
  Status scan(int db, std::string_view from, std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const {
    MDB_cursor* cursor = nullptr;
    if (int rc = mdb_cursor_open(txn, dbis[db], &cursor)) return from_mdb(rc, "open cursor");
    MDB_val k = as_val(from), v;
    int rc = mdb_cursor_get(cursor, &k, &v, from.empty() ? MDB_FIRST : MDB_SET_RANGE);
    Status status;
    while (rc == 0) {
      std::string_view key = as_view(k);
      if (key.substr(0, prefix.size()) != prefix) break;
      if (!fn(key, as_view(v))) break;
      rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
    }
    if (rc != 0 && rc != MDB_NOTFOUND) status = from_mdb(rc, "read cursor");
    mdb_cursor_close(cursor);
    return status;
  }
};

struct Archive::Impl {
  Options options;
  MDB_env* env = nullptr;
  MDB_dbi dbis[kDbCount] = {};
  mutable std::shared_mutex resize_mutex;
  std::size_t map_size = 0;
  bool unsealed_allowed = false;  // see TxnHandle

  ~Impl() {
    if (env) mdb_env_close(env);
  }

  // Adopts a map size another process set (MDB_MAP_RESIZED), or grows ours.
  Status resize(bool grow) {
    std::unique_lock lock(resize_mutex);
    MDB_envinfo info;
    mdb_env_info(env, &info);
    std::size_t size = info.me_mapsize;
    if (grow) {
      if (size >= options.max_map_size)
        return {Code::kStorageFull, "the archive reached its maximum map size of " +
                                        std::to_string(options.max_map_size) + " bytes"};
      size = std::min(options.max_map_size, size * 2);
    } else {
      size = 0;  // LMDB reads the size from the file
    }
    if (int rc = mdb_env_set_mapsize(env, size)) return from_mdb(rc, "resize the archive map");
    mdb_env_info(env, &info);
    map_size = info.me_mapsize;
    return {};
  }

  Result<std::unique_ptr<TxnHandle>> begin(Archive* self, bool read_only) {
    for (int attempt = 0; attempt < 8; ++attempt) {
      auto h = std::make_unique<TxnHandle>();
      h->archive = self;
      h->dbis = dbis;
      h->unsealed_allowed = unsealed_allowed;
      h->resize_guard = std::shared_lock(resize_mutex);
      int rc = mdb_txn_begin(env, nullptr, read_only ? MDB_RDONLY : 0, &h->txn);
      if (rc == MDB_MAP_RESIZED) {
        h->resize_guard.unlock();
        if (auto s = resize(false); !s.ok()) return s;
        continue;
      }
      if (rc != 0) {
        h->txn = nullptr;
        return from_mdb(rc, "begin a transaction on " + options.dir.string());
      }
      return h;
    }
    return Status(Code::kIOError, "the archive map keeps being resized by another process");
  }
};

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
  if (!v) return Status(Code::kNotFound, "no article \"" + std::string(id) + "\"");
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
    return Status(Code::kNotFound, "article \"" + std::string(id) + "\" has no translation \"" + std::string(lang) + "\"");
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

namespace {
constexpr std::string_view kTokenPrefix = "token/";
}

std::vector<StoredToken> Reader::tokens() const {
  std::vector<StoredToken> out;
  (void)txn_->scan(kMeta, kTokenPrefix, kTokenPrefix, [&](std::string_view key, std::string_view value) {
    json j = json::parse(value, nullptr, false);
    if (!j.is_object()) return true;  // not ours to judge: skipped
    out.push_back({std::string(key.substr(kTokenPrefix.size())), j.value("scope", ""), j.value("hash", ""),
                   j.value("created", "")});
    return true;
  });
  return out;
}

Result<bool> WriteBatch::put_token(const StoredToken& token, bool replace) {
  std::string key = std::string(kTokenPrefix) + token.name;
  if (!replace && txn_->get(kMeta, key)) return false;
  json j = {{"scope", token.scope}, {"hash", token.hash}, {"created", token.created}};
  if (auto st = put_value(kMeta, key, j.dump()); !st.ok()) return st;
  return true;
}

Result<bool> WriteBatch::remove_token(std::string_view name) {
  std::string key = std::string(kTokenPrefix) + std::string(name);
  if (!txn_->get(kMeta, key)) return false;
  if (auto st = del_value(kMeta, key); !st.ok()) return st;
  return true;
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

// Writes one value unless the stored one holds the same CBOR.
Result<PutOutcome> WriteBatch::put_part(int db, std::string_view key, const std::string& cbor,
                                        const std::string& stored, bool& existed) {
  std::string sealed = seal(db, key, stored);
  auto old = txn_->get(db, key);
  existed = old.has_value();
  if (old && *old == sealed) return PutOutcome::kUnchanged;
  if (old) {
    // A damaged value is replaced: writing the record again repairs it.
    if (auto inner = txn_->unseal(db, key, *old, "")) {
      auto old_cbor = cbor_of(*inner);
      if (old_cbor && *old_cbor == cbor) return PutOutcome::kUnchanged;
    }
  }
  if (auto s = put_value(db, key, sealed); !s.ok()) return s;
  return existed ? PutOutcome::kReplaced : PutOutcome::kAdded;
}

Result<PutOutcome> WriteBatch::put(const schema::Record& record) { return put(encode(record)); }

Result<PutOutcome> WriteBatch::put(const EncodedRecord& e) {
  bool existed = false;
  if (e.type == RecordType::kAuthor || e.type == RecordType::kTranslation) {
    bool author = e.type == RecordType::kAuthor;
    std::string key = author ? e.id : pair_key(e.id, e.lang);
    auto outcome = put_part(author ? kAuthors : kTranslations, key, e.cbor, e.stored, existed);
    if (outcome && *outcome != PutOutcome::kUnchanged)
      if (auto s = log_change(ChangeOp::kPut, e.type, e.id, e.lang); !s.ok()) return s;
    return outcome;
  }

  // An article: the record, what names its authors, then its translations.
  std::optional<std::string_view> old = txn_->get(kArticles, e.id);
  std::vector<std::string> old_authors;
  if (old && *old != seal(kArticles, e.id, e.stored))
    if (auto inner = txn_->unseal(kArticles, e.id, *old, "article " + e.id))
      if (auto previous = decode<Article>(*inner, "article " + e.id)) old_authors = previous->authors;
  auto outcome = put_part(kArticles, e.id, e.cbor, e.stored, existed);
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
    auto t = put_part(kTranslations, pair_key(e.id, part.lang), part.cbor, part.stored, part_existed);
    if (!t) return t;
    if (*t == PutOutcome::kUnchanged) continue;
    changed = true;
    if (auto s = log_change(ChangeOp::kPut, RecordType::kTranslation, e.id, part.lang); !s.ok()) return s;
  }
  if (!existed) return PutOutcome::kAdded;
  return changed ? PutOutcome::kReplaced : PutOutcome::kUnchanged;
}

Result<bool> WriteBatch::remove(RecordType type, std::string_view id, std::string_view lang) {
  if (type == RecordType::kTranslation) {
    std::string key = pair_key(id, lang);
    if (!txn_->get(kTranslations, key)) return false;
    if (auto s = del_value(kTranslations, key); !s.ok()) return s;
    if (auto s = log_change(ChangeOp::kDelete, type, id, lang); !s.ok()) return s;
    return true;
  }
  if (type == RecordType::kAuthor) {
    if (!has_author(id)) return false;
    auto named = articles_by_author(id);
    if (!named.empty()) {
      std::string list;
      for (std::size_t i = 0; i < named.size() && i < 5; ++i) list += (i ? ", " : "") + named[i];
      if (named.size() > 5) list += ", ...";
      return Status(Code::kConflict, "author '" + std::string(id) + "' is named by " +
                                         std::to_string(named.size()) + " article(s) (" + list +
                                         "); delete or change those first");
    }
    if (auto s = del_value(kAuthors, id); !s.ok()) return s;
    if (auto s = log_change(ChangeOp::kDelete, type, id, ""); !s.ok()) return s;
    return true;
  }
  auto article = this->article(id, false);
  if (!article) return article.status().code() == Code::kNotFound ? Result<bool>(false) : article.status();
  for (const auto& a : article->authors)
    if (auto s = del_value(kByAuthor, pair_key(a, id)); !s.ok()) return s;
  std::vector<std::string> keys;
  std::string prefix = pair_key(id, "");
  if (auto s = txn_->scan(kTranslations, prefix, prefix, [&](std::string_view key, std::string_view) {
        keys.emplace_back(key);
        return true;
      });
      !s.ok())
    return s;
  for (const auto& key : keys)
    if (auto s = del_value(kTranslations, key); !s.ok()) return s;
  if (auto s = del_value(kArticles, id); !s.ok()) return s;
  if (auto s = log_change(ChangeOp::kDelete, type, id, ""); !s.ok()) return s;
  return true;
}

// ---- Archive --------------------------------------------------------------

Archive::Archive(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Archive::~Archive() = default;

const std::filesystem::path& Archive::dir() const { return impl_->options.dir; }

Status Archive::copy_to(const std::filesystem::path& dir) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status(Code::kIOError, "cannot create " + dir.string() + ": " + ec.message());
  if (!std::filesystem::is_empty(dir, ec) || ec) return Status(Code::kInvalidArgument, dir.string() + " is not empty");
  std::shared_lock lock(impl_->resize_mutex);
  // LMDB copies from one read transaction: a consistent snapshot, while
  // writers go on. Compacting leaves out free pages.
  if (int rc = mdb_env_copy2(impl_->env, dir.c_str(), MDB_CP_COMPACT)) return from_mdb(rc, "copy the archive to " + dir.string());
  return {};
}

Result<std::unique_ptr<Archive>> Archive::open(const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const std::string where = options.dir.string();
  std::error_code ec;
  if (options.read_only) {
    if (!std::filesystem::exists(options.dir / "data.mdb", ec))
      return Status(Code::kNotFound, "no archive in " + where + " (import something first, or pass --data)");
  } else {
    std::filesystem::create_directories(options.dir, ec);
    if (ec) {
      Code code = (ec == std::errc::permission_denied || ec == std::errc::read_only_file_system)
                      ? Code::kReadOnly
                      : ec == std::errc::no_space_on_device ? Code::kStorageFull : Code::kIOError;
      return Status(code, "cannot create " + where + ": " + ec.message());
    }
  }
  if (int rc = mdb_env_create(&impl->env)) return from_mdb(rc, "create LMDB environment");
  mdb_env_set_maxdbs(impl->env, kDbCount);
  mdb_env_set_maxreaders(impl->env, options.max_readers);
  mdb_env_set_mapsize(impl->env, options.initial_map_size);
  unsigned flags = MDB_NOTLS | (options.read_only ? MDB_RDONLY : 0);
  if (int rc = mdb_env_open(impl->env, where.c_str(), flags, 0644)) {
    Status s = from_mdb(rc, "open the archive in " + where);
    if (s.code() == Code::kReadOnly)
      s = Status(Code::kReadOnly, s.message() + " (the data directory is not writable; check its permissions "
                                               "or pass another --data)");
    return s;
  }
  MDB_envinfo info;
  mdb_env_info(impl->env, &info);
  impl->map_size = info.me_mapsize;
  // A data file shorter than the pages its meta page counts (cut short by a
  // copy, a full disk, a bad restore) would be mapped anyway, and reading a
  // page past its end kills the process (SIGBUS): refuse it here.
  if (auto s = check_file_size(impl->env, options.dir / "data.mdb", info); !s.ok()) return s;

  // Open (and on first use create) every named database, and check the format.
  Archive* self = nullptr;
  auto archive = std::unique_ptr<Archive>(new Archive(std::move(impl)));
  self = archive.get();
  auto txn = self->impl_->begin(self, options.read_only);
  if (!txn) return txn.status();
  for (int db = 0; db < kDbCount; ++db) {
    int rc = mdb_dbi_open((*txn)->txn, kDbNames[db], options.read_only ? 0 : MDB_CREATE, &self->impl_->dbis[db]);
    if (rc == MDB_NOTFOUND && options.read_only)
      return Status(Code::kNotFound, "no archive in " + where + " (import something first)");
    if (rc) return from_mdb(rc, std::string("open database ") + kDbNames[db] + " in " + where);
  }
  (*txn)->dbis = self->impl_->dbis;
  auto version = (*txn)->get(kMeta, "format_version");
  int format = kArchiveFormat;
  if (version) {
    int v = format = std::atoi(std::string(*version).c_str());
    if (v > kArchiveFormat)
      return Status(Code::kUnsupported, "the archive in " + where + " has format " + std::to_string(v) +
                                            ", newer than this defter's " + std::to_string(kArchiveFormat) +
                                            "; use a newer defter");
  } else if (!options.read_only) {
    std::string v = std::to_string(kArchiveFormat);
    MDB_val k = as_val("format_version"), val = as_val(v);
    if (int rc = mdb_put((*txn)->txn, self->impl_->dbis[kMeta], &k, &val, 0))
      return from_mdb(rc, "write the archive's format version");
  }
  // Committing (a read transaction too) makes the database handles permanent.
  int rc = mdb_txn_commit((*txn)->txn);
  (*txn)->txn = nullptr;
  if (rc) return from_mdb(rc, "initialise the archive in " + where);
  txn->reset();
  if (format < 2) {
    // Format 1 had no seals: read as it is, and sealed when opened for writing.
    self->impl_->unsealed_allowed = true;
    if (!options.read_only) {
      if (auto s = self->seal_values(); !s.ok()) return s.with_context("upgrade the archive in " + where + " to format 2");
      self->impl_->unsealed_allowed = false;
    }
  }
  return archive;
}

// Seals every record value written by format 1, a few thousand a
// transaction (an interrupted upgrade resumes: sealed values are skipped),
// then records format 2 in the same transaction as the last of them.
Status Archive::seal_values() {
  constexpr std::size_t kPerTransaction = 2000;
  const int dbs[] = {kAuthors, kArticles, kTranslations};
  std::string from[3];
  for (bool done = false; !done;) {
    Status s = write([&](WriteBatch& batch) -> Status {
      std::vector<std::pair<std::string, std::string>> unsealed;  // key, value
      std::vector<int> unsealed_db;
      std::string resume[3] = {from[0], from[1], from[2]};
      for (int i = 0; i < 3 && unsealed.size() < kPerTransaction; ++i) {
        Status scanned = batch.txn_->scan(dbs[i], resume[i], "", [&](std::string_view key, std::string_view value) {
          resume[i] = std::string(key);
          if (!value.empty() && value[0] == kSealTag) return true;
          unsealed.emplace_back(std::string(key), std::string(value));
          unsealed_db.push_back(dbs[i]);
          return unsealed.size() < kPerTransaction;
        });
        if (!scanned.ok()) return scanned;
      }
      for (std::size_t i = 0; i < unsealed.size(); ++i)
        if (auto put = batch.put_value(unsealed_db[i], unsealed[i].first, seal(unsealed_db[i], unsealed[i].first, unsealed[i].second)); !put.ok())
          return put;
      done = unsealed.size() < kPerTransaction;
      if (done) return batch.put_value(kMeta, "format_version", std::to_string(kArchiveFormat));
      for (int i = 0; i < 3; ++i) from[i] = resume[i];
      return {};
    });
    if (!s.ok()) return s;
  }
  return {};
}

Result<Snapshot> Archive::snapshot() const {
  auto txn = impl_->begin(const_cast<Archive*>(this), true);
  if (!txn) return txn.status();
  return Snapshot(std::move(*txn));
}

Status Archive::write(const std::function<Status(WriteBatch&)>& fn, bool commit) {
  for (;;) {
    auto txn = impl_->begin(this, false);
    if (!txn) return txn.status();
    TxnHandle& h = **txn;
    WriteBatch batch(&h);
    Status s = fn(batch);
    int rc = 0;
    if (s.ok() && !h.map_full && commit) {
      rc = mdb_txn_commit(h.txn);
      h.txn = nullptr;
      if (rc == MDB_MAP_FULL) h.map_full = true;
      else if (rc) return write_error(rc, "commit to the archive in " + impl_->options.dir.string(), impl_->options.dir);
    }
    if (!h.map_full) return s;
    txn->reset();  // abort, releasing the resize guard
    if (Status grown = impl_->resize(true); !grown.ok()) return grown;
  }
}

}  // namespace defter::archive
