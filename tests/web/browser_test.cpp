// The staff page end to end: `defter serve` on the sample archive (and a
// record whose text is markup, hostile.jsonl), driven in Debian's chromium
// by tests/node/browser-test.mjs (playwright-core). Each scenario the script
// reports is checked here by name, so a failure names what broke.
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace defter;

namespace {

// The sample archive (and `extra` files of tests/web) imported into `data`.
void import_sample(const std::string& data, const std::vector<std::string>& extra) {
  std::vector<std::string> import{"import"};
  for (const char* f : {"10-authors.jsonl", "20-articles.jsonl", "30-translations.jsonl", "40-manual-page.jsonl"})
    import.push_back((test::source_dir() / "tools" / "sample" / f).string());
  for (const auto& f : extra) import.push_back((test::source_dir() / "tests" / "web" / f).string());
  auto imported = test::defter(data, import);
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
}

// Runs a script of tests/node with `args` (and --screenshots), and checks
// that each of `scenarios` was reported, and passed.
void run_scenarios(const std::string& script, std::vector<std::string> args, int timeout_seconds,
                   std::initializer_list<const char*> scenarios) {
  auto shots = std::filesystem::path(DEFTER_SCREENSHOT_DIR);
  std::vector<std::string> argv{"/usr/bin/env", "node", (test::source_dir() / "tests" / "node" / script).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--screenshots", shots.string()});
  test::RunOptions options;
  options.timeout_seconds = timeout_seconds;
  auto r = test::run(argv, options);
  INFO(script << " stderr: " << r.err);
  std::map<std::string, std::pair<bool, std::string>> results;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("scenario")) results[j["scenario"]] = {j.value("ok", false), j.value("detail", "")};
  }
  REQUIRE(results.count("browser starts") == 0);
  for (const char* name : scenarios) {
    INFO("scenario: " << name);
    REQUIRE(results.count(name) == 1);
    INFO(results[name].second);
    CHECK(results[name].first);
  }
  CHECK(r.exit_code == 0);
}

}  // namespace

TEST_CASE("the staff page in headless chromium", "[web][e2e]") {
  test::TempDir dir;
  import_sample(dir.str(), {"hostile.jsonl"});

  // A second import by someone else changes the seed's Turkish title: the
  // article then has a history to show.
  auto tr = test::defter(dir.str(), {"get", "china-central-asia-c5-summit-2023", "--lang", "tr", "--compact"});
  REQUIRE(tr.exit_code == 0);
  auto changed = nlohmann::json::parse(tr.out);
  changed["title"] = "Çin-Orta Asya ilişkileri: düzeltilmiş başlık";
  test::write_file(dir.path() / "fix.jsonl", changed.dump() + "\n");
  auto fixed = test::defter(dir.str(), {"--as", "alice", "import", (dir.path() / "fix.jsonl").string()});
  INFO(fixed.err);
  REQUIRE(fixed.exit_code == 0);

  test::ServeProcess serve(dir.path(), "web");
  REQUIRE(serve.port != 0);
  run_scenarios("browser-test.mjs", {"--url", "http://127.0.0.1:" + std::to_string(serve.port)}, 240,
                {"a search and its results", "each facet narrows and widens",
                 "the URL holds the state and the back button goes back",
                 "the article view: language switch and footnotes both ways",
                 "names across scripts and suggestions in the reader's language", "the author page",
                 "the interface language switch", "keyboard use", "phone width",
                 "record text never becomes markup", "an article's history and its versions", "screenshots"});
  auto shots = std::filesystem::path(DEFTER_SCREENSHOT_DIR);
  for (const char* shot : {"search-desktop.png", "article-desktop.png", "author-desktop.png", "search-phone.png",
                           "article-phone.png", "author-phone.png"}) {
    INFO(shot);
    CHECK(std::filesystem::file_size(shots / shot) > 10000);
  }
}

TEST_CASE("the staff page as a new user meets it, in headless chromium", "[web][e2e]") {
  test::TempDir dir;
  // The same archive served twice (one server a data directory): open, and
  // to token holders only.
  import_sample(dir.str("open"), {"undated.jsonl"});
  import_sample(dir.str("private"), {"undated.jsonl"});
  auto token = test::defter(dir.str("private"), {"token", "create", "--name", "staff", "--scope", "read"});
  REQUIRE(token.exit_code == 0);
  std::string secret = token.out.substr(0, token.out.find_first_of("\r\n"));
  REQUIRE(!secret.empty());
  test::ServeProcess open(dir.path() / "open", "open");
  REQUIRE(open.port != 0);
  test::ServeProcess closed(dir.path() / "private", "private", {"--require-read-token"});
  REQUIRE(closed.port != 0);
  run_scenarios("page-usability.mjs",
                {"--url", "http://127.0.0.1:" + std::to_string(open.port), "--private",
                 "http://127.0.0.1:" + std::to_string(closed.port), "--token", secret},
                300,
                {"the home page lists newest first and says so", "no result: the query understood, the filters to remove, tips",
                 "an unknown article: a page that says so, with ways on", "snippets keep headings apart from the text",
                 "facets show every value: more on demand, found by name, none cut",
                 "undated and unsigned articles read as such",
                 "the article page: countries by name, each date once, the translation note as written",
                 "the search's words are highlighted in the opened article, until cleared",
                 "where reads need a token: sign in, stay signed in, sign out",
                 "no serious accessibility violation on any view, in each interface language",
                 "Chinese names and titles are drawn, not boxes"});
  auto shots = std::filesystem::path(DEFTER_SCREENSHOT_DIR);
  CHECK(std::filesystem::file_size(shots / "article-zh.png") > 10000);
}
