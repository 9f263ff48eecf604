// SIGKILL during a large import, many times at random moments: every batch
// reported committed is intact, nothing is half-written, and a re-run
// completes the import to the same archive as an import never interrupted.
#include <chrono>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "content.hpp"

using namespace defter;
using nlohmann::json;

using test::content;
using test::content_of_line;

namespace {

// What the archive holds: nothing when the import was killed before it
// committed its first transaction (the archive is made by that one).
std::string exported(const std::string& data) {
  auto r = test::defter(data, {"export"});
  if (r.exit_code == 1 && r.err.find("no archive in") != std::string::npos) return "";
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE("SIGKILL at random moments of a large import loses no committed batch", "[cli][e2e][fault][.slow]") {
  test::TempDir dir;
  auto corpus = dir.path() / "corpus.jsonl";
  test::generate_corpus(corpus, 2500, 250, 11);
  std::vector<json> lines;
  {
    std::ifstream in(corpus);
    for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  }
  auto data = dir.str("data");
  const unsigned seed = test::random_seed();
  INFO(test::replay_hint(seed));
  std::mt19937 rng(seed);
  std::regex batch_line(R"(committed batch [0-9]+: [0-9]+ records \((.*):([0-9]+)-([0-9]+)\))");

  int kills = 0, checked_batches = 0;
  for (int round = 0; round < 20; ++round) {
    auto err = dir.path() / ("err" + std::to_string(round));
    {
      test::Child child({test::defter_binary(), "--data", data, "import", "--no-index", "-v", "--batch", "25", corpus.string()},
                        err);
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 900));
      if (!child.exited()) {
        child.kill_now();
        ++kills;
      }
    }
    // Every batch reported committed is there, record by record.
    auto stored = content(exported(data));
    std::string log = test::read_file(err);
    for (std::sregex_iterator it(log.begin(), log.end(), batch_line), end; it != end; ++it) {
      ++checked_batches;
      for (std::size_t n = std::stoul((*it)[2]); n <= std::stoul((*it)[3]); ++n)
        for (auto& [key, value] : content_of_line(lines[n - 1])) {
          INFO("line " << n << " " << key);
          REQUIRE(stored.count(key));
          CHECK(stored[key] == value);
        }
    }
    // Nothing is half-written: every stored part is exactly a part of the input.
    std::map<std::string, json> expected;
    for (auto& l : lines)
      for (auto& [key, value] : content_of_line(l)) expected[key] = value;
    for (auto& [key, value] : stored) {
      INFO(key);
      REQUIRE(expected.count(key));
      CHECK(expected[key] == value);
    }
    // An article and all the translations its line carries are written together.
    for (auto& l : lines) {
      if (l["type"] != "article" || !stored.count("article:" + l["id"].get<std::string>())) continue;
      for (auto& [lang, t] : l["translations"].items()) CHECK(stored.count("translation:" + l["id"].get<std::string>() + "/" + lang));
    }
  }
  CHECK(kills >= 5);
  CHECK(checked_batches > 0);

  // A re-run completes the import, to the same archive as an uninterrupted one.
  auto finish = test::defter(data, {"import", "--no-index", corpus.string()});
  INFO(finish.err);
  REQUIRE(finish.exit_code == 0);
  auto clean = dir.str("clean");
  REQUIRE(test::defter(clean, {"import", "--no-index", corpus.string()}).exit_code == 0);
  CHECK(content(test::export_all(data)) == content(test::export_all(clean)));
}
