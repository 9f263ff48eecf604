// defter-bench-ref-lmdb: the references tools/bench/import measures against.
//
//   defter-bench-ref-lmdb loop FILE TARGET_DIR BATCH
//     The plain loop: read each JSON Lines record, parse it, encode it as the
//     archive does (canonical CBOR, LZ4HC level 3 above 256 bytes), put it
//     under its id, commit every BATCH records with LMDB's default
//     durability. No validation, no change log, no references, no
//     unchanged-detection: the work any importer of this format must do.
//   defter-bench-ref-lmdb copy SOURCE_ARCHIVE_DIR TARGET_DIR TRANSACTIONS
//     The floor: every key and value an import wrote (the same encoded bytes),
//     read into memory first, then written into a fresh environment in
//     TRANSACTIONS commits. Only LMDB's own cost is timed.
//
// Prints "records seconds bytes". This is the one program outside archive/
// that includes lmdb.h: a reference must not go through the code it measures.
#include <lmdb.h>
#include <lz4.h>
#include <lz4hc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using Clock = std::chrono::steady_clock;
const char* const kNames[] = {"meta", "authors", "articles", "translations", "by_author", "changes"};
constexpr unsigned kDbs = sizeof kNames / sizeof *kNames;

void check(int rc, const char* what) {
  if (rc != 0) {
    std::fprintf(stderr, "defter-bench-ref-lmdb: %s: %s\n", what, mdb_strerror(rc));
    std::exit(1);
  }
}

MDB_env* open_env(const char* dir, unsigned flags) {
  MDB_env* env;
  check(mdb_env_create(&env), "create");
  mdb_env_set_maxdbs(env, kDbs);
  mdb_env_set_mapsize(env, std::size_t{1} << 40);
  check(mdb_env_open(env, dir, flags, 0644), dir);
  return env;
}

MDB_env* fresh_env(const char* dir) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return open_env(dir, MDB_NOTLS);
}

int loop(const char* file, const char* dir, long batch) {
  auto start = Clock::now();
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "defter-bench-ref-lmdb: cannot read %s\n", file);
    return 1;
  }
  MDB_env* env = fresh_env(dir);
  MDB_txn* txn;
  MDB_dbi dbi;
  check(mdb_txn_begin(env, nullptr, 0, &txn), "begin");
  check(mdb_dbi_open(txn, "records", MDB_CREATE, &dbi), "open db");
  std::string line, cbor, stored;
  LZ4_streamHC_t* hc = LZ4_createStreamHC();
  std::size_t records = 0, bytes = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    bytes += line.size() + 1;
    nlohmann::json j = nlohmann::json::parse(line);
    std::string key = j.value("type", "") + ":" + j.value("id", j.value("article", "") + "/" + j.value("lang", ""));
    cbor.clear();
    nlohmann::json::to_cbor(j, cbor);
    if (cbor.size() > 256) {
      int bound = LZ4_compressBound(static_cast<int>(cbor.size()));
      stored.resize(5 + static_cast<std::size_t>(bound));
      stored[0] = 'l';
      for (int i = 0; i < 4; ++i) stored[1 + static_cast<std::size_t>(i)] = static_cast<char>(cbor.size() >> (8 * i) & 0xff);
      LZ4_resetStreamHC_fast(hc, 3);  // the archive's level (archive/src/values.hpp)
      int n = LZ4_compress_HC_continue(hc, cbor.data(), stored.data() + 5, static_cast<int>(cbor.size()), bound);
      stored.resize(5 + static_cast<std::size_t>(n));
    } else {
      stored = 'c' + cbor;
    }
    MDB_val k{key.size(), key.data()}, v{stored.size(), stored.data()};
    check(mdb_put(txn, dbi, &k, &v, 0), "put");
    if (++records % static_cast<std::size_t>(batch) == 0) {
      check(mdb_txn_commit(txn), "commit");
      check(mdb_txn_begin(env, nullptr, 0, &txn), "begin");
    }
  }
  check(mdb_txn_commit(txn), "commit");
  LZ4_freeStreamHC(hc);
  mdb_env_close(env);
  std::printf("%zu %.6f %zu\n", records, std::chrono::duration<double>(Clock::now() - start).count(), bytes);
  return 0;
}

int copy(const char* source, const char* dir, long transactions) {
  struct Entry {
    unsigned db;
    std::string key, value;
  };
  std::vector<Entry> entries;
  std::size_t bytes = 0;
  {
    MDB_env* env = open_env(source, MDB_RDONLY);
    MDB_txn* txn;
    check(mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn), "begin");
    for (unsigned d = 0; d < kDbs; ++d) {
      MDB_dbi dbi;
      check(mdb_dbi_open(txn, kNames[d], 0, &dbi), "open db");
      MDB_cursor* cur;
      check(mdb_cursor_open(txn, dbi, &cur), "cursor");
      MDB_val k, v;
      for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        entries.push_back({d, std::string(static_cast<char*>(k.mv_data), k.mv_size),
                           std::string(static_cast<char*>(v.mv_data), v.mv_size)});
        bytes += k.mv_size + v.mv_size;
      }
      mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    mdb_env_close(env);
  }
  auto start = Clock::now();
  MDB_env* env = fresh_env(dir);
  MDB_dbi dbis[kDbs];
  MDB_txn* txn;
  check(mdb_txn_begin(env, nullptr, 0, &txn), "begin");
  for (unsigned d = 0; d < kDbs; ++d) check(mdb_dbi_open(txn, kNames[d], MDB_CREATE, &dbis[d]), "create db");
  std::size_t per_txn = entries.size() / static_cast<std::size_t>(std::max(1L, transactions)) + 1;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    Entry& e = entries[i];
    MDB_val k{e.key.size(), e.key.data()}, v{e.value.size(), e.value.data()};
    check(mdb_put(txn, dbis[e.db], &k, &v, 0), "put");
    if ((i + 1) % per_txn == 0) {
      check(mdb_txn_commit(txn), "commit");
      check(mdb_txn_begin(env, nullptr, 0, &txn), "begin");
    }
  }
  check(mdb_txn_commit(txn), "commit");
  mdb_env_close(env);
  std::printf("%zu %.6f %zu\n", entries.size(), std::chrono::duration<double>(Clock::now() - start).count(), bytes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::strcmp(argv[1], "loop") == 0) return loop(argv[2], argv[3], std::max(1L, std::atol(argv[4])));
  if (argc == 5 && std::strcmp(argv[1], "copy") == 0) return copy(argv[2], argv[3], std::atol(argv[4]));
  std::fprintf(stderr,
               "usage: defter-bench-ref-lmdb loop FILE TARGET_DIR BATCH\n"
               "       defter-bench-ref-lmdb copy SOURCE_ARCHIVE_DIR TARGET_DIR TRANSACTIONS\n");
  return 2;
}
