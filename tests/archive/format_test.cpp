// Older archives: format 1 (no seals, zstd), 2 (no LZ4) and 3 (no
// revisions) read as they are and are brought forward when opened for
// writing; damage to the history is found.
#include <lmdb.h>
#include <lz4.h>
#include <zstd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "archive_support.hpp"
#include "defter/archive/archive.hpp"
#include "defter/archive/importer.hpp"
#include "store.hpp"
#include "support.hpp"
#include "values.hpp"

using namespace defter;
using namespace archive_test;
using archive::PutOutcome;
using schema::RecordType;

namespace {

// The archive's LMDB environment opened directly, to make it as an older
// format left it.
MDB_env* raw_env(const test::TempDir& dir, unsigned flags = 0) {
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 16);
  REQUIRE(mdb_env_open(env, (dir.path() / "archive").c_str(), flags, 0644) == 0);
  return env;
}

// The sample archive imported into dir (sealed, LZ4): its articles as JSON,
// in id order, for checking what an older format reads back.
std::vector<std::string> import_sample(const test::TempDir& dir) {
  std::vector<std::string> expected;
  auto a = open(dir);
  archive::ImportListener quiet;
  std::vector<std::string> files;
  for (const char* f : {"10-authors.jsonl", "20-articles.jsonl", "30-translations.jsonl"})
    files.push_back((test::source_dir() / "tools" / "sample" / f).string());
  REQUIRE(archive::import_jsonl(*a, files, {}, quiet).ok());
  auto snap = a->snapshot();
  REQUIRE(snap.ok());
  REQUIRE(snap->for_each_article([&](const schema::Article& art) {
    expected.push_back(nlohmann::json(art).dump());
    return true;
  }).ok());
  REQUIRE(expected.size() >= 8);
  return expected;
}

// Every article reads back as `expected` (decoded and as JSON), none damaged.
void check_reads(archive::Archive& a, const std::vector<std::string>& expected) {
  auto snap = a.snapshot();
  REQUIRE(snap.ok());
  std::size_t i = 0;
  REQUIRE(snap->for_each_article([&](const schema::Article& art) {
    REQUIRE(i < expected.size());
    CHECK(nlohmann::json(art).dump() == expected[i]);
    auto j = snap->article_json(art.id);
    REQUIRE(j.ok());
    CHECK(*j == expected[i]);
    ++i;
    return true;
  }).ok());
  CHECK(i == expected.size());
  CHECK(snap->damaged().empty());
}

// The archive in dir opened read-only.
std::unique_ptr<archive::Archive> open_read_only(const test::TempDir& dir) {
  archive::Options o;
  o.read_only = true;
  return open(dir, o);
}

// Every value of one of the archive's databases, with LMDB directly.
std::pair<MDB_dbi, std::vector<std::pair<std::string, std::string>>> values_of(MDB_txn* txn, const char* name) {
  MDB_dbi dbi;
  REQUIRE(mdb_dbi_open(txn, name, 0, &dbi) == 0);
  std::vector<std::pair<std::string, std::string>> values;
  MDB_cursor* cursor = nullptr;
  REQUIRE(mdb_cursor_open(txn, dbi, &cursor) == 0);
  MDB_val k, v;
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT))
    values.emplace_back(std::string(static_cast<char*>(k.mv_data), k.mv_size), std::string(static_cast<char*>(v.mv_data), v.mv_size));
  mdb_cursor_close(cursor);
  return {dbi, values};
}

// The format_version the archive in dir records, read with LMDB directly.
std::string stored_format(const test::TempDir& dir) {
  MDB_env* env = raw_env(dir, MDB_RDONLY);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) == 0);
  MDB_dbi meta;
  REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
  std::string key = "format_version";
  MDB_val k{key.size(), key.data()}, v;
  REQUIRE(mdb_get(txn, meta, &k, &v) == 0);
  std::string out(static_cast<char*>(v.mv_data), v.mv_size);
  mdb_txn_abort(txn);
  mdb_env_close(env);
  return out;
}

}  // namespace

TEST_CASE("an archive of format 1 (no seals, zstd values) reads, and is sealed when opened for writing", "[archive]") {
  // The sample archive, written now (sealed, LZ4), then every record value
  // rewritten as format 1 wrote it: no seal, compressed values with zstd.
  test::TempDir dir;
  const std::vector<std::string> expected = import_sample(dir);
  MDB_env* env = raw_env(dir);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  std::size_t rewritten = 0, unsealed = 0;
  for (const char* name : {"authors", "articles", "translations"}) {
    auto [dbi, values] = values_of(txn, name);
    for (auto& [key, sealed] : values) {
      REQUIRE(sealed[0] == 'k');
      std::string value = sealed.substr(9);  // the seal: 'k' and 8 bytes of checksum
      ++unsealed;
      if (value[0] == 'l') {
        std::uint32_t size = 0;
        for (int i = 4; i >= 1; --i) size = size << 8 | static_cast<unsigned char>(value[static_cast<std::size_t>(i)]);
        std::string cbor(size, '\0');
        REQUIRE(LZ4_decompress_safe(value.data() + 5, cbor.data(), static_cast<int>(value.size() - 5), static_cast<int>(size)) ==
                static_cast<int>(size));
        std::string z(1 + ZSTD_compressBound(cbor.size()), '\0');
        z[0] = 'z';
        z.resize(1 + ZSTD_compress(z.data() + 1, z.size() - 1, cbor.data(), cbor.size(), 1));
        value = z;
        ++rewritten;
      }
      MDB_val kk{key.size(), key.data()}, vv{value.size(), value.data()};
      REQUIRE(mdb_put(txn, dbi, &kk, &vv, 0) == 0);
    }
  }
  {
    MDB_dbi meta;
    REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
    std::string key = "format_version", one = "1";
    MDB_val kk{key.size(), key.data()}, vv{one.size(), one.data()};
    REQUIRE(mdb_put(txn, meta, &kk, &vv, 0) == 0);
  }
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);
  CHECK(rewritten >= 16);  // the sample's bodies are long enough to be compressed
  check_reads(*open_read_only(dir), expected);  // read-only: read as it is, nothing written
  // For writing: every value sealed, and the format now the current one.
  auto a = open(dir);
  check_reads(*a, expected);
  a.reset();
  REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 16);
  REQUIRE(mdb_env_open(env, (dir.path() / "archive").c_str(), MDB_RDONLY, 0644) == 0);
  REQUIRE(mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) == 0);
  std::size_t sealed = 0;
  for (const char* name : {"authors", "articles", "translations"})
    for (auto& [key, value] : values_of(txn, name).second) sealed += value[0] == 'k' ? 1 : 0;
  mdb_txn_abort(txn);
  mdb_env_close(env);
  CHECK(sealed == unsealed);
  CHECK(stored_format(dir) == std::to_string(archive::kArchiveFormat));
}

TEST_CASE("an archive of format 2 (sealed, no LZ4) reads, and is marked the current format before anything is written", "[archive]") {
  // The sample archive, written now, then made as format 2 wrote it: every
  // LZ4 value ('l') stored again as plain CBOR ('c') under a new seal, and
  // format_version 2.
  test::TempDir dir;
  const std::vector<std::string> expected = import_sample(dir);
  auto format_of = [&](unsigned flags) {
    MDB_env* env = nullptr;
    REQUIRE(mdb_env_create(&env) == 0);
    mdb_env_set_maxdbs(env, 16);
    REQUIRE(mdb_env_open(env, (dir.path() / "archive").c_str(), flags, 0644) == 0);
    return env;
  };
  MDB_env* env = format_of(0);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  std::size_t replaced = 0;
  const std::pair<const char*, int> dbs[] = {{"authors", archive::store::kAuthors},
                                             {"articles", archive::store::kArticles},
                                             {"translations", archive::store::kTranslations}};
  for (const auto& [name, db] : dbs) {
    auto [dbi, values] = values_of(txn, name);
    for (auto& [key, sealed] : values) {
      std::string_view inner = std::string_view(sealed).substr(archive::detail::kSealBytes);
      if (inner[0] != 'l') continue;
      auto cbor = archive::detail::cbor_of(inner);
      REQUIRE(cbor.ok());
      std::string plain = archive::detail::seal(db, key, "c" + *cbor);
      MDB_val kk{key.size(), key.data()}, vv{plain.size(), plain.data()};
      REQUIRE(mdb_put(txn, dbi, &kk, &vv, 0) == 0);
      ++replaced;
    }
  }
  MDB_dbi meta;
  REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
  std::string key = "format_version", two = "2";
  MDB_val kk{key.size(), key.data()}, vv{two.size(), two.data()};
  REQUIRE(mdb_put(txn, meta, &kk, &vv, 0) == 0);
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);
  CHECK(replaced >= 16);
  check_reads(*open_read_only(dir), expected);
  CHECK(stored_format(dir) == "2");  // read-only: nothing written
  auto a = open(dir);
  check_reads(*a, expected);
  a.reset();
  CHECK(stored_format(dir) == std::to_string(archive::kArchiveFormat));
}

TEST_CASE("an archive of format 3 (no revisions) reads with an empty history, and keeps revisions once written", "[archive][provenance]") {
  test::TempDir dir;
  const std::vector<std::string> expected = import_sample(dir);
  // Made as format 3 left it: without the provenance databases.
  MDB_env* env = raw_env(dir);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  for (const char* name : {"revisions", "runs", "run_records"}) {
    MDB_dbi dbi;
    REQUIRE(mdb_dbi_open(txn, name, 0, &dbi) == 0);
    REQUIRE(mdb_drop(txn, dbi, 1) == 0);
  }
  MDB_dbi meta;
  REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
  std::string key = "format_version", three = "3";
  MDB_val kk{key.size(), key.data()}, vv{three.size(), three.data()};
  REQUIRE(mdb_put(txn, meta, &kk, &vv, 0) == 0);
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);

  {
    auto ro = open_read_only(dir);
    check_reads(*ro, expected);
    auto snap = ro->snapshot();
    REQUIRE(snap.ok());
    CHECK(snap->runs()->empty());
    CHECK(snap->history(RecordType::kAuthor, "dogacan-basaran")->empty());
    CHECK(snap->check_provenance().empty());
  }
  CHECK(stored_format(dir) == "3");
  auto a = open(dir);
  auto au = a->snapshot()->author("dogacan-basaran");
  REQUIRE(au.ok());
  std::string old_name = au->name;
  au->name += " (renamed)";
  REQUIRE(put(*a, *au) == PutOutcome::kReplaced);
  auto snap = a->snapshot();
  auto h = snap->history(RecordType::kAuthor, "dogacan-basaran");
  REQUIRE(h->size() == 1);
  CHECK(h->front().number == 1);
  // Revision 0: the record as it was before revisions were kept.
  auto v0 = snap->version(RecordType::kAuthor, "dogacan-basaran", 0);
  REQUIRE(v0.ok());
  CHECK(std::get<schema::Author>(**v0).name == old_name);
  CHECK(stored_format(dir) == std::to_string(archive::kArchiveFormat));
}

TEST_CASE("the history's own damage is found: a revision altered, a run gone", "[archive][provenance]") {
  test::TempDir dir;
  import_sample(dir);
  MDB_env* env = raw_env(dir);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  auto [revisions, values] = values_of(txn, "revisions");
  REQUIRE(!values.empty());
  auto& [key, value] = *values.begin();
  std::string altered = value;
  altered.back() = static_cast<char>(altered.back() ^ 1);
  MDB_val kk{key.size(), key.data()}, vv{altered.size(), altered.data()};
  REQUIRE(mdb_put(txn, revisions, &kk, &vv, 0) == 0);
  MDB_dbi runs;
  REQUIRE(mdb_dbi_open(txn, "runs", 0, &runs) == 0);
  REQUIRE(mdb_drop(txn, runs, 0) == 0);  // emptied: every revision names a run that is gone
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);

  auto a = open_read_only(dir);
  auto snap = a->snapshot();
  REQUIRE(snap.ok());
  auto problems = snap->check_provenance();
  std::string all;
  for (const auto& p : problems) all += p.message() + "\n";
  CHECK_THAT(all, Catch::Contains("damaged"));
  CHECK_THAT(all, Catch::Contains("names run 1, which the archive does not have"));
  CHECK(problems.size() == values.size());  // each revision once: one damaged, the rest without their run
}
