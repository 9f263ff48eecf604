// Provenance at the command line: history, runs, revert and get --revision
// end to end on generated data; a revert killed at random moments; revisions
// through backup and restore.
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli.hpp"

using namespace defter;
using nlohmann::json;

namespace {

std::vector<json> read_lines(const std::filesystem::path& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

std::vector<json> read_lines_from(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

void write_lines(const std::filesystem::path& path, const std::vector<json>& lines) {
  std::ofstream out(path);
  for (const auto& l : lines) out << l.dump() << "\n";
}

// A second import for a generated corpus: every `every`-th article with its
// Turkish title changed (a script's slip), and `added` new authors.
std::vector<json> second_import(const std::vector<json>& corpus, int every, int added) {
  std::vector<json> out;
  int n = 0;
  for (const auto& l : corpus) {
    if (l["type"] != "article" || n++ % every != 0) continue;
    json changed = l;
    for (auto& [lang, t] : changed["translations"].items()) t["title"] = t["title"].get<std::string>() + " [" + lang + "]";
    out.push_back(changed);
  }
  for (int i = 0; i < added; ++i)
    out.push_back({{"type", "author"}, {"id", "added-author-" + std::to_string(i)}, {"name", "Added " + std::to_string(i)}});
  return out;
}

test::RunResult ok(const std::string& data, const std::vector<std::string>& args) {
  auto r = test::defter(data, args);
  INFO("defter " << args.front() << ": " << r.err);
  REQUIRE(r.exit_code == 0);
  return r;
}

}  // namespace

TEST_CASE("an import reverted brings the archive back byte for byte, and the revert reverted brings it back again", "[cli][e2e][provenance]") {
  test::TempDir dir;
  auto data = dir.str("data");
  auto corpus = dir.path() / "corpus.jsonl";
  test::generate_corpus(corpus, 120, 60, 5);
  ok(data, {"--as", "alice", "import", corpus.string()});
  std::string before = test::export_all(data);

  auto second = dir.path() / "second.jsonl";
  write_lines(second, second_import(read_lines(corpus), 4, 3));
  auto imported = ok(data, {"--as", "bob", "import", second.string()});
  CHECK_THAT(imported.out, Catch::Contains("3 added"));
  std::string after = test::export_all(data);
  REQUIRE(after != before);

  // The runs, newest first, and as JSON.
  auto runs = ok(data, {"runs"});
  CHECK(runs.out.find("run 2  import  bob") < runs.out.find("run 1  import  alice"));
  auto runs_json = json::parse(ok(data, {"runs", "--json"}).out);
  REQUIRE(runs_json.size() == 2);
  CHECK(runs_json[1]["id"] == 2);
  CHECK(runs_json[1]["who"] == "bob");
  CHECK(runs_json[1]["complete"] == true);
  CHECK(runs_json[1]["counts"]["added"] == 3);
  CHECK(runs_json[1]["files"][0] == second.string());
  CHECK(!runs_json[1]["started"].get<std::string>().empty());

  // A changed article's history names who, how, where, and the field.
  std::string id = read_lines(second)[0]["id"];
  auto history = json::parse(ok(data, {"history", id, "--json"}).out);
  REQUIRE(history["revisions"].size() >= 2);
  auto newest = history["revisions"][0];
  CHECK(newest["who"] == "bob");
  CHECK(newest["how"] == "import");
  CHECK(newest["source"] == second.string() + ":1");
  CHECK(newest["run"] == 2);
  bool title = false;
  for (const auto& f : newest["fields"]) title |= f["field"] == "title" && f["change"] == "changed";
  CHECK(title);
  auto text = ok(data, {"history", id});
  CHECK_THAT(text.out, Catch::Contains("bob  import  replaced  run 2") && Catch::Contains("~ "));
  // The article as it was before the second import.
  auto was = json::parse(ok(data, {"get", id, "--revision", std::to_string(newest["revision"].get<int>() - 1)}).out);
  bool same = false;
  for (const auto& l : read_lines_from(before))
    if (l.value("id", "") == id) same = l == was;
  CHECK(same);

  // A dry run says what a revert would do, and writes nothing.
  auto dry = ok(data, {"revert", "2", "--dry-run"});
  CHECK_THAT(dry.out, Catch::Contains("3 removed"));
  CHECK(test::export_all(data) == after);

  auto reverted = ok(data, {"--as", "carol", "revert", "2"});
  CHECK_THAT(reverted.out, Catch::Contains("reverted run 2 as run 3") && Catch::Contains("0 conflicts"));
  CHECK(test::export_all(data) == before);
  CHECK(ok(data, {"verify"}).exit_code == 0);  // the index followed
  auto search = ok(data, {"search", "--json", "Added"});
  CHECK(json::parse(search.out)["total"] == 0);

  auto again = test::defter(data, {"revert", "2"});
  CHECK(again.exit_code != 0);
  CHECK_THAT(again.err, Catch::Contains("reverted by run 3 already"));

  // The revert is a run: reverted, the second import is back.
  ok(data, {"revert", "3"});
  CHECK(test::export_all(data) == after);
  auto last = json::parse(ok(data, {"runs", "--json"}).out).back();
  CHECK(last["how"] == "revert");
  CHECK(last["reverts"] == 3);
}

TEST_CASE("a revert leaves what a later import changed, says so, and --force overrides", "[cli][e2e][provenance]") {
  test::TempDir dir;
  auto data = dir.str("data");
  auto corpus = dir.path() / "corpus.jsonl";
  test::generate_corpus(corpus, 40, 40, 9);
  ok(data, {"import", corpus.string()});
  auto lines = read_lines(corpus);
  auto first = read_lines_from(test::export_all(data));
  auto second = dir.path() / "second.jsonl";
  write_lines(second, second_import(lines, 2, 0));
  ok(data, {"import", second.string()});
  // A third import changes one of the articles the second changed.
  json third = read_lines(second)[0];
  third["published"] = "1999";
  auto third_file = dir.path() / "third.jsonl";
  write_lines(third_file, {third});
  ok(data, {"--as", "dana", "import", third_file.string()});

  auto r = test::defter(data, {"revert", "2"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("conflict: article " + third["id"].get<std::string>()) && Catch::Contains("dana") &&
                        Catch::Contains("--force"));
  CHECK_THAT(r.out, Catch::Contains("1 conflict\n"));
  auto kept = json::parse(ok(data, {"get", third["id"], "--compact"}).out);
  CHECK(kept["published"] == "1999");

  // One record, forced back to how the first import left it.
  auto history = json::parse(ok(data, {"history", third["id"], "--json"}).out);
  std::uint64_t oldest = history["revisions"].back()["revision"];
  ok(data, {"revert", third["id"], "--to", std::to_string(oldest)});
  auto back = json::parse(ok(data, {"get", third["id"], "--compact"}).out);
  bool found = false;
  for (const auto& l : first)
    if (l.value("id", "") == third["id"]) {
      found = true;
      CHECK(back == l);
    }
  CHECK(found);
  CHECK(ok(data, {"verify"}).exit_code == 0);
  CHECK(test::defter(data, {"revert", "nonsense"}).exit_code == 2);
  CHECK(test::defter(data, {"revert", "99"}).exit_code == 1);
}

TEST_CASE("revisions and runs survive a backup and a restore", "[cli][e2e][provenance]") {
  test::TempDir dir;
  auto data = dir.str("data");
  auto corpus = dir.path() / "corpus.jsonl";
  test::generate_corpus(corpus, 20, 30, 3);
  ok(data, {"import", corpus.string()});
  auto second = dir.path() / "second.jsonl";
  write_lines(second, second_import(read_lines(corpus), 3, 1));
  ok(data, {"--as", "erin", "import", second.string()});
  std::string id = read_lines(second)[0]["id"];
  auto history = ok(data, {"history", id, "--json"}).out;
  auto runs = ok(data, {"runs", "--json"}).out;
  ok(data, {"backup", dir.str("backup")});
  auto restored = dir.str("restored");
  ok(restored, {"restore", dir.str("backup")});
  CHECK(ok(restored, {"history", id, "--json"}).out == history);
  CHECK(ok(restored, {"runs", "--json"}).out == runs);
  // And a revert still works there.
  ok(restored, {"revert", "2"});
  CHECK(test::export_all(restored) != test::export_all(data));
}

TEST_CASE("SIGKILL during a revert leaves whole batches, and running it again completes it", "[cli][e2e][fault][provenance]") {
  test::TempDir dir;
  auto data = dir.str("data");
  auto corpus = dir.path() / "corpus.jsonl";
  test::generate_corpus(corpus, 300, 40, 21);
  ok(data, {"import", "--no-index", corpus.string()});
  std::string before = test::export_all(data);
  auto lines = read_lines(corpus);
  auto second = dir.path() / "second.jsonl";
  auto changed = second_import(lines, 1, 0);  // every article
  write_lines(second, changed);
  ok(data, {"import", "--no-index", second.string()});
  std::string after = test::export_all(data);

  // Which state each article is in: as before the second import (reverted), or after.
  std::map<std::string, json> old_titles, new_titles;
  for (const auto& l : read_lines_from(before))
    if (l["type"] == "article") old_titles[l["id"]] = l["translations"];
  for (const auto& l : read_lines_from(after))
    if (l["type"] == "article") new_titles[l["id"]] = l["translations"];

  const unsigned seed = test::random_seed();
  INFO(test::replay_hint(seed));
  std::mt19937 rng(seed);
  int kills = 0;
  for (int round = 0; round < 6; ++round) {
    {
      auto out = dir.path() / "revert.out";
      test::Child child({test::defter_binary(), "--data", data, "revert", "2", "--batch", "2", "-v"},
                        dir.path() / "revert.err", out);
      if (round == 0) {
        // Most likely before the revert's run is even written.
        std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 40));
      } else {
        // The items are printed after their batch commits, and stdout to a
        // file is flushed every few kilobytes: once some are out, the revert
        // is half-way, whatever the machine's load.
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        std::error_code ec;
        while (!child.poll() && std::filesystem::file_size(out, ec) == 0 && std::chrono::steady_clock::now() < deadline)
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 30));
      }
      if (!child.poll()) {
        child.kill_now();
        ++kills;
      }
    }
    // Every article is wholly in one state or the other, and the revert's
    // run counts exactly the records it put back (written with each batch).
    std::size_t reverted = 0;
    for (const auto& l : read_lines_from(test::export_all(data))) {
      if (l["type"] != "article") continue;
      bool is_old = l["translations"] == old_titles[l["id"]], is_new = l["translations"] == new_titles[l["id"]];
      INFO(l["id"]);
      CHECK((is_old || is_new));
      reverted += is_old;
    }
    auto runs = json::parse(ok(data, {"runs", "--json"}).out);
    if (runs.size() >= 3) {
      CHECK(runs[2]["reverts"] == 2);
      CHECK(runs[2]["counts"]["replaced"] == reverted);
      if (runs[2]["complete"] == true) break;
    } else {
      CHECK(reverted == 0);
    }
  }
  // Three ways the rounds can end, each with its own answer: every kill came
  // before the revert's run was written (a fresh revert now), a kill cut the
  // run short (it goes on), or the last round finished it (already done).
  const auto runs_before = json::parse(ok(data, {"runs", "--json"}).out);
  auto done = test::defter(data, {"revert", "2"});
  INFO(done.err);
  if (runs_before.size() < 3) {
    CHECK(done.exit_code == 0);
    CHECK_THAT(done.out, !Catch::Contains("(completed)"));
  } else if (runs_before[2]["complete"] == true) {
    CHECK(done.exit_code != 0);
    CHECK_THAT(done.err, Catch::Contains("already"));
  } else {
    CHECK(done.exit_code == 0);
    CHECK_THAT(done.out, Catch::Contains("(completed)"));
  }
  CHECK(json::parse(ok(data, {"runs", "--json"}).out).size() == 3);  // one revert run, however often it was cut
  CHECK(test::export_all(data) == before);
  CHECK(after != before);
  CHECK(kills >= 1);
  ok(data, {"index"});
  CHECK(ok(data, {"verify"}).exit_code == 0);
}
