// Damage to the stored data: every record value carries a checksum over its
// key and its value, so a flipped bit or a value under another key is
// reported as damage naming the record, never decoded; a data file cut
// short is refused before it is mapped.
#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"
#include "support.hpp"

using namespace defter;
using schema::RecordType;

namespace {

std::unique_ptr<archive::Archive> open_archive(const std::filesystem::path& dir) {
  archive::Options o;
  o.dir = dir;
  auto a = archive::Archive::open(o);
  INFO((a.ok() ? std::string() : a.status().to_string()));
  REQUIRE(a.ok());
  return std::move(a.value());
}

// An archive of two authors and an article with two translations.
void fill(archive::Archive& a) {
  REQUIRE(a.write([](archive::WriteBatch& b) -> Status {
             for (const char* id : {"ayse", "boris"}) {
               schema::Author au;
               au.id = id;
               au.name = std::string("Name of ") + id;
               au.bio["tr"] = std::string("Biyografi ") + id;
               if (auto r = b.put(au); !r) return r.status();
             }
             schema::Article art;
             art.id = "water";
             art.published = "2023-05";
             art.authors = {"ayse"};
             art.original_language = "en";
             for (const char* lang : {"en", "tr"}) {
               schema::Translation t;
               t.title = std::string("Water ") + lang;
               t.body = "A body long enough to be compressed. " + std::string(400, 'x');
               art.translations[lang] = t;
             }
             if (auto r = b.put(art); !r) return r.status();
             return {};
           }).ok());
}

// Rewrites one stored value with LMDB directly.
void tamper(const std::filesystem::path& dir, const char* db, const std::string& key,
            const std::function<void(std::string&)>& change) {
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 16);
  REQUIRE(mdb_env_open(env, dir.c_str(), 0, 0644) == 0);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  MDB_dbi dbi;
  REQUIRE(mdb_dbi_open(txn, db, 0, &dbi) == 0);
  MDB_val k{key.size(), const_cast<char*>(key.data())}, v;
  REQUIRE(mdb_get(txn, dbi, &k, &v) == 0);
  std::string value(static_cast<char*>(v.mv_data), v.mv_size);
  change(value);
  MDB_val nv{value.size(), value.data()};
  REQUIRE(mdb_put(txn, dbi, &k, &nv, 0) == 0);
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);
}

std::string translation_key(const std::string& id, const std::string& lang) { return id + std::string(1, '\0') + lang; }

}  // namespace

TEST_CASE("a flipped bit anywhere in a stored record is damage naming the record, and writing it again repairs it",
          "[archive][fault]") {
  test::TempDir dir;
  auto path = dir.path() / "archive";
  {
    auto a = open_archive(path);
    fill(*a);
  }
  struct Target {
    const char* db;
    std::string key, names;
  };
  for (const Target& t : {Target{"authors", "boris", "author boris"}, Target{"articles", "water", "article water"},
                          Target{"translations", translation_key("water", "tr"), "translation water/tr"}}) {
    // Every bit of the first bytes (the seal and the tag), and bits spread over the rest.
    std::size_t size = 0;
    tamper(path, t.db, t.key, [&](std::string& v) { size = v.size(); });
    std::vector<std::size_t> bits;
    for (std::size_t b = 0; b < 16 * 8; ++b) bits.push_back(b);
    for (std::size_t b = 16 * 8; b < size * 8; b += 37) bits.push_back(b);
    for (std::size_t bit : bits) {
      INFO(t.names << ", bit " << bit);
      tamper(path, t.db, t.key, [&](std::string& v) { v[bit / 8] = static_cast<char>(v[bit / 8] ^ (1 << (bit % 8))); });
      {
        auto a = open_archive(path);
        auto snap = a->snapshot();
        REQUIRE(snap.ok());
        Status read;
        if (std::string(t.db) == "authors")
          read = snap->author("boris").status();
        else if (std::string(t.db) == "articles")
          read = snap->article("water").status();
        else
          read = snap->translation("water", "tr").status();
        CHECK(read.code() == Code::kCorruption);
        CHECK_THAT(read.message(), Catch::Contains(t.names) && Catch::Contains("damaged"));
        if (std::string(t.db) != "authors") {
          auto j = snap->article_json("water");
          CHECK(j.status().code() == Code::kCorruption);
        }
        auto damaged = snap->damaged();
        REQUIRE(damaged.size() == 1);
        CHECK_THAT(damaged[0].message(), Catch::Contains(t.names));
        // What is not damaged still reads, and an iteration told of damage goes on.
        CHECK(snap->author("ayse").ok());
        std::vector<std::string> seen, told;
        auto note = [&](const Status& s) { told.push_back(s.message()); };
        CHECK(snap->for_each_author(
                      [&](const schema::Author& au) {
                        seen.push_back(au.id);
                        return true;
                      },
                      note)
                  .ok());
        CHECK(snap->for_each_article(
                      [&](const schema::Article& ar) {
                        seen.push_back(ar.id + ":" + std::to_string(ar.translations.size()));
                        return true;
                      },
                      true, note)
                  .ok());
        CHECK(told.size() == 1);
        std::string article_seen = std::string(t.db) == "articles"       ? ""
                                   : std::string(t.db) == "translations" ? "water:1"
                                                                         : "water:2";
        std::vector<std::string> want{"ayse"};
        if (std::string(t.db) != "authors") want.push_back("boris");
        if (!article_seen.empty()) want.push_back(article_seen);
        CHECK(seen == want);
        // Without a handler the first damage stops an iteration, as an error.
        Status stopped = snap->for_each_author([](const schema::Author&) { return true; });
        Status stopped_articles = snap->for_each_article([](const schema::Article&) { return true; });
        CHECK((stopped.code() == Code::kCorruption || stopped_articles.code() == Code::kCorruption));
      }
      // Flip it back: sound again.
      tamper(path, t.db, t.key, [&](std::string& v) { v[bit / 8] = static_cast<char>(v[bit / 8] ^ (1 << (bit % 8))); });
      auto b = open_archive(path);
      auto again = b->snapshot();
      REQUIRE(again.ok());
      CHECK(again->damaged().empty());
    }
  }
  // Writing a damaged record again replaces it.
  tamper(path, "authors", "boris", [](std::string& v) { v.back() = static_cast<char>(v.back() ^ 1); });
  auto a = open_archive(path);
  REQUIRE(a->write([](archive::WriteBatch& b) -> Status {
             schema::Author au;
             au.id = "boris";
             au.name = "Name of boris";
             au.bio["tr"] = "Biyografi boris";
             auto r = b.put(au);
             return r ? Status() : r.status();
           }).ok());
  auto snap = a->snapshot();
  REQUIRE(snap.ok());
  CHECK(snap->author("boris").ok());
  CHECK(snap->damaged().empty());
}

TEST_CASE("a value under another record's key is damage", "[archive][fault]") {
  test::TempDir dir;
  auto path = dir.path() / "archive";
  {
    auto a = open_archive(path);
    fill(*a);
  }
  std::string ayse;
  tamper(path, "authors", "ayse", [&](std::string& v) { ayse = v; });
  tamper(path, "authors", "boris", [&](std::string& v) { v = ayse; });  // a sound value, not boris's
  auto a = open_archive(path);
  auto snap = a->snapshot();
  REQUIRE(snap.ok());
  CHECK(snap->author("ayse").ok());
  auto boris = snap->author("boris");
  CHECK(boris.status().code() == Code::kCorruption);
  CHECK_THAT(boris.status().message(), Catch::Contains("author boris"));
}

TEST_CASE("a data file cut short is refused with a message, never mapped", "[archive][fault]") {
  test::TempDir dir;
  auto path = dir.path() / "archive";
  {
    auto a = open_archive(path);
    fill(*a);
    // Enough to take more pages than the two meta pages and a few more.
    REQUIRE(a->write([](archive::WriteBatch& b) -> Status {
               for (int i = 0; i < 200; ++i) {
                 schema::Author au;
                 au.id = "filler-" + std::to_string(i);
                 au.name = "Filler " + std::to_string(i);
                 au.bio["en"] = std::string(2000, static_cast<char>('a' + i % 26));
                 if (auto r = b.put(au); !r) return r.status();
               }
               return {};
             }).ok());
  }
  auto file = path / "data.mdb";
  auto full = std::filesystem::file_size(file);
  REQUIRE(full > 65536);
  std::filesystem::resize_file(file, 65536);
  for (bool read_only : {true, false}) {
    archive::Options o;
    o.dir = path;
    o.read_only = read_only;
    auto a = archive::Archive::open(o);
    REQUIRE(!a.ok());
    CHECK(a.status().code() == Code::kCorruption);
    CHECK_THAT(a.status().message(), Catch::Contains("data.mdb") && Catch::Contains("cut short"));
  }
  CHECK(std::filesystem::file_size(file) == 65536);  // nothing written
}
