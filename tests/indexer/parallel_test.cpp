// Indexing on several threads: a large backlog built into shards and merged
// into one index, resumed after a kill; compaction; the place in the change
// log when a drain stops inside a group of records one change touched.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <xapian.h>

#include "defter/archive/importer.hpp"
#include "defter/indexer/index.hpp"
#include "defter/indexer/live_index.hpp"
#include "index_files.hpp"
#include "sample.hpp"
#include "support.hpp"

using namespace defter;
namespace fs = std::filesystem;

namespace {

// A generated archive of `records` records in its own directory.
struct Generated {
  test::TempDir dir;
  std::unique_ptr<archive::Archive> archive;

  explicit Generated(int records, int seed = 7) {
    archive::Options o;
    o.dir = dir.path() / "archive";
    archive = std::move(archive::Archive::open(o).value());
    test::generate_corpus(dir.path() / "corpus.jsonl", records, 60, seed);
    test::Quiet quiet;
    REQUIRE(archive::import_jsonl(*archive, {(dir.path() / "corpus.jsonl").string()}, {}, quiet).ok());
  }

  // The first word of the first translation of the first n articles, with
  // its language: words the index must find.
  std::vector<std::pair<std::string, std::string>> words(std::size_t n) const {
    std::vector<std::pair<std::string, std::string>> out;
    std::ifstream in(dir.path() / "corpus.jsonl");
    for (std::string line; out.size() < n && std::getline(in, line);) {
      auto j = nlohmann::json::parse(line);
      if (j["type"] != "article") continue;
      auto t = j["translations"].begin();
      std::string body = (*t)["body"];
      std::string first = body.substr(0, body.find_first_of(" .,\n"));
      if (t.key() != "zh" && first.size() > 3) out.emplace_back(first, t.key());
    }
    return out;
  }

  indexer::IndexOptions options(const std::string& name, std::size_t jobs) const {
    indexer::IndexOptions io;
    io.dir = dir.path() / name;
    io.jobs = jobs;
    io.batch = 25;
    io.parallel_from = 10;
    return io;
  }
};

// Every document's unique id, for the given words, in order.
std::vector<std::string> found(const indexer::IndexOptions& o, const std::string& words, const std::string& lang) {
  auto reader = indexer::IndexReader::open(o);
  REQUIRE(reader.ok());
  auto ids = (*reader)->ids(words, lang);
  REQUIRE(ids.ok());
  std::sort(ids->begin(), ids->end());
  return *ids;
}

void check_clean(archive::Archive& archive, const indexer::IndexOptions& o) {
  auto report = indexer::verify(archive, o);
  REQUIRE(report.ok());
  INFO("missing " << report->missing.size() << ", stale " << report->stale.size() << ", orphan "
                  << report->orphan.size() << ", duplicate " << report->duplicate.size());
  CHECK(report->clean());
  CHECK(report->index_seq == report->archive_seq);
}

// The generation directories and the build directory left in an index.
std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("a large backlog indexed on three threads makes the index one writer makes", "[indexer][parallel]") {
  Generated g(240);
  auto one = g.options("one", 1), three = g.options("three", 3);
  for (const auto* o : {&one, &three}) {
    auto writer = indexer::IndexWriter::open(*o);
    REQUIRE(writer.ok());
    auto drained = (*writer)->drain(*g.archive);
    REQUIRE(drained.ok());
    auto snap = g.archive->snapshot();
    REQUIRE(snap.ok());
    CHECK(drained->units == snap->stats().articles + snap->stats().authors);
  }
  check_clean(*g.archive, one);
  check_clean(*g.archive, three);
  // One generation, searched as one database; the build's shards are gone.
  CHECK(entries(three.dir).size() == 1);
  auto a = indexer::index_stats(one), b = indexer::index_stats(three);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->documents == b->documents);
  CHECK(a->unique_terms == b->unique_terms);
  CHECK(a->pair_words == b->pair_words);
  for (const auto& [words, lang] : g.words(5)) {
    INFO(words);
    auto x = found(one, words, lang);
    CHECK_FALSE(x.empty());
    CHECK(x == found(three, words, lang));
  }
  // Later changes are drained into the merged index by one writer.
  REQUIRE(g.archive->write([&](archive::WriteBatch& batch) -> Status {
    auto r = batch.remove(schema::RecordType::kArticle, "article-1");
    return r.ok() ? Status() : r.status();
  }).ok());
  {
    auto writer = indexer::IndexWriter::open(three);
    REQUIRE(writer.ok());
    auto drained = (*writer)->drain(*g.archive);
    REQUIRE(drained.ok());
    CHECK(drained->changes == 1);
  }
  check_clean(*g.archive, three);
}

TEST_CASE("a parallel build stopped half way resumes from what its shards committed", "[indexer][parallel][fault]") {
  Generated g(240);
  auto o = g.options("index", 2);
  struct Stop {};
  {
    auto writer = indexer::IndexWriter::open(o);
    REQUIRE(writer.ok());
    // Stopped from inside (as a kill would) once 100 records are committed.
    CHECK_THROWS_AS((*writer)->drain(*g.archive, [](std::uint64_t done, std::uint64_t) {
      if (done >= 100) throw Stop{};
    }), Stop);
  }
  REQUIRE(fs::exists(o.dir / indexer::kBuildDir / "shard-1"));
  auto writer = indexer::IndexWriter::open(o);
  REQUIRE(writer.ok());
  auto drained = (*writer)->drain(*g.archive);
  REQUIRE(drained.ok());
  CHECK(drained->documents_written > 0);
  CHECK(drained->documents_written < 400);  // what the shards held was not written again
  CHECK_FALSE(fs::exists(o.dir / indexer::kBuildDir));
  check_clean(*g.archive, o);
}

TEST_CASE("a build of another format, or one cut short before it had shards, is started afresh", "[indexer][parallel][fault]") {
  Generated g(60);
  auto o = g.options("index", 2);
  fs::create_directories(o.dir / indexer::kBuildDir / "shard-0");
  test::write_file(o.dir / indexer::kBuildDir / "shard-0" / "junk", "not a database");
  {
    auto writer = indexer::IndexWriter::open(o);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->drain(*g.archive).ok());
  }
  check_clean(*g.archive, o);
  CHECK_FALSE(fs::exists(o.dir / indexer::kBuildDir));
}

TEST_CASE("a record's shard is fixed by its id, in every process and version", "[indexer][parallel]") {
  // A resumed build finds each record in the shard it was put in.
  CHECK(indexer::shard_of(schema::RecordType::kArticle, "a", 1) == 0);
  CHECK(indexer::shard_of(schema::RecordType::kArticle, "china-central-asia-c5-summit-2023", 2) ==
        indexer::shard_of(schema::RecordType::kArticle, "china-central-asia-c5-summit-2023", 2));
  CHECK(indexer::shard_of(schema::RecordType::kArticle, "article-1", 7) == 3);
  CHECK(indexer::shard_of(schema::RecordType::kAuthor, "article-1", 7) == 1);
  std::vector<int> per(4);
  for (int i = 0; i < 4000; ++i) ++per[indexer::shard_of(schema::RecordType::kArticle, "r" + std::to_string(i), 4)];
  for (int n : per) CHECK(n > 900);  // spread evenly
}

TEST_CASE("reindex and compact: one merged generation, smaller, the same answers", "[indexer][parallel]") {
  Generated g(120);
  auto o = g.options("index", 2);
  o.parallel_from = 1000000;  // drained by one writer: blocks left part empty
  {
    auto writer = indexer::IndexWriter::open(o);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->drain(*g.archive).ok());
  }
  const auto [word, lang] = g.words(1).at(0);
  const auto before = found(o, word, lang);
  auto compacted = indexer::compact(o);
  REQUIRE(compacted.ok());
  CHECK(compacted->bytes_after < compacted->bytes_before);
  CHECK(compacted->generation == indexer::generation_name(2));
  CHECK(indexer::current_generation(o.dir) == compacted->generation);
  CHECK(entries(o.dir) == std::vector<std::string>{compacted->generation});
  CHECK(found(o, word, lang) == before);
  check_clean(*g.archive, o);
  // The compacted index takes writes as any other.
  REQUIRE(g.archive->write([&](archive::WriteBatch& batch) -> Status {
    auto r = batch.remove(schema::RecordType::kArticle, "article-2");
    return r.ok() ? Status() : r.status();
  }).ok());
  REQUIRE(indexer::catch_up(*g.archive, o).ok());
  check_clean(*g.archive, o);
  // A reindex on three threads: one generation again.
  o.jobs = 3;
  REQUIRE(indexer::reindex(*g.archive, o).ok());
  CHECK(entries(o.dir) == std::vector<std::string>{indexer::generation_name(3)});
  check_clean(*g.archive, o);
  // One at a time: a compact while a reindex holds the generations is refused.
  auto held = indexer::GenerationLock::take(o.dir);
  REQUIRE(held.ok());
  auto refused = indexer::compact(o);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Code::kLocked);
}

TEST_CASE("compact while a live indexer takes writes: nothing written meanwhile is lost", "[indexer][parallel][threads]") {
  Generated g(60);
  auto o = g.options("index", 2);
  REQUIRE(indexer::catch_up(*g.archive, o).ok());
  std::string failure;
  {
    indexer::LiveIndexer live(*g.archive, o, [&](const std::string& e) { failure = e; });
    std::atomic<bool> done{false};
    std::thread writer([&] {
      for (int i = 0; i < 30 && !done; ++i) {
        test::TempDir tmp;
        test::write_file(tmp.path() / "x.jsonl",
                         R"({"type":"article","id":"live-)" + std::to_string(i) +
                             R"(","published":"2024","authors":[],"original_language":"en","translations":{"en":)"
                             R"({"title":"Live note","body":"Compaction while writing."}}})" "\n");
        test::Quiet quiet;
        if (auto st = archive::import_jsonl(*g.archive, {(tmp.path() / "x.jsonl").string()}, {}, quiet); !st.ok()) {
          failure = st.status().message();
          return;
        }
        live.index_first({{schema::RecordType::kArticle, "live-" + std::to_string(i)}});
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
    for (int i = 0; i < 3; ++i) {
      auto c = indexer::compact(o);
      if (!c.ok()) failure = c.status().message();
    }
    done = true;
    writer.join();
  }
  REQUIRE(failure.empty());
  REQUIRE(indexer::catch_up(*g.archive, o).ok());  // what the live indexer had not reached when it stopped
  check_clean(*g.archive, o);
}

TEST_CASE("a drain stopped inside the records one change touched resumes them", "[indexer]") {
  // An author's change touches every article that names the author, all
  // with one sequence number; a piece of a drain that ends among them must
  // not store that number, or the rest are never rebuilt.
  Generated g(80);
  auto o = g.options("index", 1);
  REQUIRE(indexer::catch_up(*g.archive, o).ok());
  auto snap = g.archive->snapshot();
  REQUIRE(snap.ok());
  auto article = snap->article("article-0");
  REQUIRE(article.ok());
  auto author = snap->author(article->authors.at(0));
  REQUIRE(author.ok());
  const std::size_t named = snap->articles_by_author(author->id).size();
  REQUIRE(named >= 4);
  author->name = "Renamed Author";
  REQUIRE(g.archive->write([&](archive::WriteBatch& batch) -> Status {
    auto r = batch.put(schema::Record(*author));
    return r.ok() ? Status() : r.status();
  }).ok());
  {
    auto writer = indexer::IndexWriter::open(o);
    REQUIRE(writer.ok());
    auto piece = (*writer)->drain(*g.archive, {}, 2);  // 2 of the author and its articles
    REQUIRE(piece.ok());
    CHECK(piece->units == 2);
  }
  auto writer = indexer::IndexWriter::open(o);
  REQUIRE(writer.ok());
  auto rest = (*writer)->drain(*g.archive);
  REQUIRE(rest.ok());
  CHECK(rest->units == named + 1);  // all of them again: none is left stale
  check_clean(*g.archive, o);
}
