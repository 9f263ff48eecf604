// What the archive's parts share (internal to archive/): the named
// databases, LMDB's errors as a Status, keys, and the transaction and
// environment the Reader, WriteBatch and Archive work through.
#pragma once

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

namespace store {

// Every named database, declared once; the index is its slot in Impl::dbis.
enum Db : int { kMeta, kAuthors, kArticles, kTranslations, kByAuthor, kChanges, kRevisions, kRuns, kRunRecords, kDbCount };
inline constexpr const char* kDbNames[kDbCount] = {"meta", "authors", "articles", "translations", "by_author",
                                            "changes", "revisions", "runs", "run_records"};
// The databases format 4 added: an older archive opened read-only has none.
inline constexpr bool is_provenance_db(int db) { return db >= kRevisions; }

// LMDB reports a short write as EIO; on a full disk or at the file-size
// limit that is what a write gets. Tells those apart from a failing disk.
inline bool out_of_space(const std::filesystem::path& dir) {
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

inline Status from_mdb(int rc, std::string_view what) {
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
inline Status check_file_size(MDB_env* env, const std::filesystem::path& file, const MDB_envinfo& info) {
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
inline Status write_error(int rc, std::string_view what, const std::filesystem::path& dir) {
  if (rc == EIO && out_of_space(dir))
    return {Code::kStorageFull, std::string(what) + ": the disk is full (or the file-size limit is reached); "
                                                    "free some disk space, then run the command again"};
  return from_mdb(rc, what);
}

inline MDB_val as_val(std::string_view s) { return {s.size(), const_cast<char*>(s.data())}; }
inline std::string_view as_view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

inline std::string pair_key(std::string_view a, std::string_view b) {
  std::string key(a);
  key += '\0';
  key += b;
  return key;
}

inline std::string seq_key(std::uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, seq >>= 8) key[static_cast<std::size_t>(i)] = static_cast<char>(seq & 0xff);
  return key;
}

inline std::uint64_t seq_of(std::string_view key) {
  std::uint64_t seq = 0;
  for (unsigned char c : key) seq = (seq << 8) | c;
  return seq;
}

// A record's key in the provenance databases: 'a' and an author's id, or
// 'r' and an article's (its translations are parts of it).
inline std::string record_key(RecordType type, std::string_view id) {
  std::string key(1, type == RecordType::kAuthor ? 'a' : 'r');
  key += id;
  return key;
}

// revisions: the record's key, NUL, the revision's number (8 bytes, big-endian).
inline std::string revision_key(std::string_view record, std::uint64_t n) {
  std::string key(record);
  key += '\0';
  key += seq_key(n);
  return key;
}

inline json article_meta_json(const Article& a) {
  json j = a;
  j.erase("translations");
  return j;
}

}  // namespace store

using namespace store;

// A revision being gathered while a write changes a record's parts.
struct RevisionDraft {
  std::string record;  // record_key
  std::string change;  // the record's: "added", "replaced", "deleted"
  json parts = json::array();
  void add(std::string_view lang, std::string_view part_change, std::optional<std::string_view> prev) {
    json p = {{"lang", lang}, {"change", part_change}, {"prev", nullptr}};
    if (prev) p["prev"] = json::binary(std::vector<std::uint8_t>(prev->begin(), prev->end()));
    parts.push_back(std::move(p));
  }
};

// An open LMDB transaction and what it needs.
struct TxnHandle {
  Archive* archive = nullptr;
  MDB_txn* txn = nullptr;
  const MDB_dbi* dbis = nullptr;
  const bool* absent = nullptr;  // databases an older archive, opened read-only, does not have
  std::shared_lock<std::shared_mutex> resize_guard;  // no map resize while this transaction lives
  std::uint64_t next_seq = 0;                        // write transactions: the next change number
  bool map_full = false;
  bool unsealed_allowed = false;  // an archive of format 1, or one being upgraded: values without a seal read
  bool keep_revisions = true;     // Options::keep_revisions
  Origin origin;                  // write transactions: who writes, how, from where (WriteBatch::set_origin)
  std::string now;                // write transactions: the time revisions are stamped with, once read

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

  // A copy of a stored value's inner form, when its seal holds.
  std::optional<std::string> inner_copy(int db, std::string_view key, std::string_view stored) const {
    auto inner = unseal(db, key, stored, "");
    if (!inner) return std::nullopt;
    return std::string(*inner);
  }

  ~TxnHandle() {
    if (txn) mdb_txn_abort(txn);
  }

  // The raw stored bytes under key, valid until the transaction ends.
  std::optional<std::string_view> get(int db, std::string_view key) const {
    if (absent[db]) return std::nullopt;
    MDB_val k = as_val(key), v;
    if (mdb_get(txn, dbis[db], &k, &v) != 0) return std::nullopt;
    return as_view(v);
  }

  // The last key starting with prefix, and its value.
  std::optional<std::pair<std::string_view, std::string_view>> last_with_prefix(int db, std::string_view prefix) const {
    if (absent[db]) return std::nullopt;
    MDB_cursor* cursor = nullptr;
    if (mdb_cursor_open(txn, dbis[db], &cursor) != 0) return std::nullopt;
    // The first key past every key with the prefix: the prefix with its
    // last byte below 0xff raised by one (none: the database's last key).
    std::string upper(prefix);
    while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
    int rc;
    MDB_val k, v;
    if (upper.empty()) {
      rc = mdb_cursor_get(cursor, &k, &v, MDB_LAST);
    } else {
      upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
      k = as_val(upper);
      rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
      rc = rc == 0 ? mdb_cursor_get(cursor, &k, &v, MDB_PREV) : mdb_cursor_get(cursor, &k, &v, MDB_LAST);
    }
    std::optional<std::pair<std::string_view, std::string_view>> found;
    if (rc == 0 && as_view(k).substr(0, prefix.size()) == prefix) found.emplace(as_view(k), as_view(v));
    mdb_cursor_close(cursor);
    return found;
  }

  // Visits keys >= from while they start with prefix.
  Status scan(int db, std::string_view from, std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const {
    if (absent[db]) return {};
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
  bool absent[kDbCount] = {};
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
      h->absent = absent;
      h->keep_revisions = options.keep_revisions;
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

}  // namespace defter::archive
