// defter index, verify, reindex and stats on the real binary, including
// SIGKILL during indexing.
#include <chrono>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli.hpp"

using namespace defter;
using nlohmann::json;

TEST_CASE("import indexes and verify finds what --no-index left out until defter index runs", "[cli][e2e]") {
  test::TempDir dir;
  auto data = dir.str("data");
  test::write_file(dir.path() / "seed.jsonl", test::seed_jsonl());
  REQUIRE(test::defter(data, {"import", dir.str("seed.jsonl")}).exit_code == 0);
  auto clean = test::defter(data, {"verify"});
  CHECK(clean.exit_code == 0);
  CHECK_THAT(clean.out, Catch::StartsWith("clean: 0 missing, 0 stale, 0 orphan, 0 duplicate"));

  test::write_file(dir.path() / "more.jsonl", R"({"type":"author","id":"new-author","name":"Yeni Yazar","bio":{"tr":"Biyografi."}})" "\n"
                                              R"({"type":"author","id":"dogacan-basaran","name":"D. Başaran"})" "\n");
  REQUIRE(test::defter(data, {"import", "--no-index", dir.str("more.jsonl")}).exit_code == 0);
  auto differences = test::defter(data, {"verify"});
  CHECK(differences.exit_code == 1);
  CHECK_THAT(differences.out, Catch::Contains("missing u:new-author/tr"));
  CHECK_THAT(differences.out, Catch::Contains("missing u:dogacan-basaran/\n"));  // his bio went: a document without one
  CHECK_THAT(differences.out, Catch::Contains("orphan u:dogacan-basaran/tr"));  // the Turkish biography's document
  CHECK_THAT(differences.out, Catch::Contains("stale a:china-central-asia-c5-summit-2023/en"));  // shows his new name

  auto indexed = test::defter(data, {"index"});
  INFO(indexed.err);
  CHECK(indexed.exit_code == 0);
  CHECK(test::defter(data, {"verify"}).exit_code == 0);
  auto stats = json::parse(test::defter(data, {"stats", "--json"}).out);
  CHECK(stats["index"]["languages"]["tr"]["documents"] == 2);  // the seed's Turkish translation and the new bio
  auto index_stats = test::defter(data, {"index", "--stats"});
  CHECK_THAT(index_stats.out, Catch::Contains("documents"));

  REQUIRE(test::defter(data, {"reindex"}).exit_code == 0);
  CHECK(test::defter(data, {"verify"}).exit_code == 0);
}

TEST_CASE("SIGKILL at random moments of indexing: index then verify is clean, nothing lost or doubled", "[cli][e2e][fault]") {
  test::TempDir dir;
  auto data = dir.str("data");
  const unsigned seed = test::random_seed();
  INFO(test::replay_hint(seed));
  std::mt19937 rng(seed);
  int kills = 0;
  const int rounds = static_cast<int>(test::scaled(8, 6));  // round 5 reindexes
  for (int round = 0; round < rounds; ++round) {
    // New records each round, imported without indexing; the first round's
    // 1,200 make a backlog that two threads build into shards (index.hpp),
    // the others are drained by one writer.
    auto corpus = dir.path() / ("corpus" + std::to_string(round) + ".jsonl");
    test::generate_corpus(corpus, round == 0 ? 1200 : 120, round == 0 ? 40 : 150, 100 + round, "r" + std::to_string(round));
    REQUIRE(test::defter(data, {"import", "--no-index", corpus.string()}).exit_code == 0);
    {
      // Round 5 kills a reindex on three threads instead: the live index stays.
      std::vector<std::string> argv{test::defter_binary(), "--data", data, "index", "--jobs", "2", "--batch", "5"};
      if (round == 5) argv = {test::defter_binary(), "--data", data, "reindex", "--jobs", "3", "--batch", "5"};
      test::Child child(argv, dir.path() / "err");
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 1500));
      if (!child.exited()) {
        child.kill_now();
        ++kills;
      }
    }
    auto resumed = test::defter(data, {"index", "--jobs", "2"});
    INFO(resumed.err);
    REQUIRE(resumed.exit_code == 0);
    auto verified = test::defter(data, {"verify"});
    INFO(verified.out);
    CHECK(verified.exit_code == 0);
    CHECK_THAT(verified.out, Catch::Contains("0 duplicate"));
  }
  CHECK(kills >= 3);
  // A reindex after it all makes one generation and leaves no build behind.
  REQUIRE(test::defter(data, {"reindex", "--jobs", "2"}).exit_code == 0);
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(data) / "index"))
    if (e.is_directory()) left.push_back(e.path().filename().string());
  CHECK(left.size() == 1);
  CHECK(test::defter(data, {"verify"}).exit_code == 0);
}
