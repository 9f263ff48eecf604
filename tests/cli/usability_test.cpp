// The command line as a new user meets it: options where they type them,
// input as they have it, mistakes answered with what they meant, counts in
// plain words, help with examples, and a terminal's output (through a
// pseudo-terminal, as a person sees it).
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <cstring>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli.hpp"

using namespace defter;
using nlohmann::json;

namespace {

std::string sample_file(const char* name) { return (test::source_dir() / "tools" / "sample" / name).string(); }
std::string example_file(const char* name) { return (test::source_dir() / "schema" / "examples" / name).string(); }

std::string sample_data(const test::TempDir& dir) {
  auto data = dir.str("data");
  auto r = test::defter(data, {"import", sample_file("10-authors.jsonl"), sample_file("20-articles.jsonl"),
                               sample_file("30-translations.jsonl"), sample_file("40-manual-page.jsonl")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return data;
}

// The environment of a terminal in `lang` ("en_US.UTF-8"), whatever the
// test runner's own locale.
test::RunOptions locale(const std::string& lang) {
  test::RunOptions o;
  o.env["LANG"] = lang;
  o.env["LC_ALL"] = "";
  o.env["LC_MESSAGES"] = "";
  return o;
}

test::RunResult ok(const std::string& data, const std::vector<std::string>& args, const test::RunOptions& o = {}) {
  auto r = test::defter(data, args, o);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  return r;
}

// Runs argv on a pseudo-terminal (stdout and stderr both), as a person at a
// terminal would: what they see, escape sequences and all.
std::string on_terminal(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {}) {
  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) out.append(buf, static_cast<std::size_t>(n));
    else if (n < 0 && errno == EINTR) continue;
    else break;  // EIO once the child has gone
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  CHECK(WIFEXITED(status));
  return out;
}

}  // namespace

TEST_CASE("global options work after the subcommand too", "[cli][e2e][usability]") {
  test::TempDir dir;
  auto data = dir.str("data");
  // No --data before the command: it comes after, as a user types it.
  auto r = test::run({test::defter_binary(), "import", "--data", data, example_file("seed-author.json")});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  auto list = test::run({test::defter_binary(), "list", "--data", data, "--type", "author"});
  CHECK_THAT(list.out, Catch::Contains("dogacan-basaran"));
  auto as = test::run({test::defter_binary(), "import", example_file("seed-author.json"), "--as", "ayse", "--data", data});
  CHECK(as.exit_code == 0);
  // An option no command has is still refused.
  auto bad = test::run({test::defter_binary(), "import", "--data", data, "--nonsense", example_file("seed-author.json")});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("a missing input file says so, exits 2 and writes nothing, dry run or not", "[cli][e2e][usability]") {
  test::TempDir dir;
  auto data = dir.str("data");
  for (bool dry : {false, true}) {
    std::vector<std::string> args = {"import", dir.str("missing.jsonl")};
    if (dry) args.push_back("--dry-run");
    auto r = test::defter(data, args);
    INFO(dry);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("missing.jsonl: no such file; nothing was imported"));
    CHECK_THAT(r.err, !Catch::Contains("committed"));
    CHECK(!std::filesystem::exists(data));  // not even an empty archive
  }
}

TEST_CASE("a JSON document imports: one record pretty-printed, or an array of them", "[cli][e2e][usability]") {
  test::TempDir dir;
  auto data = dir.str("data");
  // The examples are pretty-printed, one record each.
  auto r = ok(data, {"import", example_file("seed-author.json"), example_file("seed-article.json"),
                     example_file("seed-translation-tr.json"), example_file("seed-translation-ru.json")});
  CHECK_THAT(r.out, Catch::StartsWith("4 added, 0 replaced, 0 unchanged, 0 rejected (4 lines, 1 batch,"));
  CHECK(r.err.empty());
  auto article = json::parse(ok(data, {"get", "china-central-asia-c5-summit-2023"}).out);
  CHECK(article["translations"].size() == 3);

  // An array, over many lines, with a bad record: named by the line it starts on.
  test::write_file(dir.path() / "array.json",
                   "[\n  {\"type\": \"author\",\n   \"id\": \"anna-petrova\",\n   \"name\": \"Anna Petrova\"},\n"
                   "  {\"type\": \"author\",\n   \"id\": \"bad\",\n   \"name\": 5}\n]\n");
  auto a = test::defter(data, {"import", dir.str("array.json")});
  CHECK(a.exit_code == 1);
  CHECK_THAT(a.out, Catch::StartsWith("1 added, 0 replaced, 0 unchanged, 1 rejected"));
  CHECK_THAT(a.err, Catch::Contains("array.json:5: author bad: name: expected string"));

  // A broken document: one error with its line and column; nothing of it written.
  test::write_file(dir.path() / "broken.json", "[\n  {\"type\": \"author\",\n   \"id\": \"x\" \"name\": \"X\"}\n]\n");
  auto b = test::defter(data, {"import", dir.str("broken.json")});
  CHECK(b.exit_code == 1);
  CHECK_THAT(b.err, Catch::Contains("broken.json:3: not a JSON document (invalid JSON at line 3, column 14: unexpected string literal"));
  CHECK_THAT(b.err, Catch::Contains("JSON Lines (one record per line)"));
  CHECK(test::defter(data, {"get", "x"}).exit_code == 1);

  // Pretty-printed but cut short: neither JSON Lines nor a document; the
  // first error says what JSON Lines are, once.
  std::string seed = test::read_file(example_file("seed-author.json"));
  test::write_file(dir.path() / "cut.json", seed.substr(0, seed.size() / 2));
  auto c = test::defter(data, {"import", dir.str("cut.json")});
  CHECK(c.exit_code == 1);
  CHECK_THAT(c.err, Catch::Contains("cut.json:1: invalid JSON"));
  CHECK_THAT(c.err, Catch::Contains("JSON Lines hold one whole record per line"));
  std::size_t first = c.err.find("JSON Lines hold");
  CHECK(c.err.find("JSON Lines hold", first + 1) == std::string::npos);

  // JSON Lines are still JSON Lines, a broken line among good ones included.
  test::write_file(dir.path() / "lines.jsonl",
                   "{\"type\": \"author\", \"id\": \"l1\", \"name\": \"L One\"}\n{\"type\": \"author\",\n"
                   "{\"type\": \"author\", \"id\": \"l2\", \"name\": \"L Two\"}\n");
  auto l = test::defter(data, {"import", dir.str("lines.jsonl")});
  CHECK_THAT(l.out, Catch::StartsWith("2 added, 0 replaced, 0 unchanged, 1 rejected"));
  CHECK_THAT(l.err, Catch::Contains("lines.jsonl:2: invalid JSON"));
}

TEST_CASE("wrong codes and unknown ids get a suggestion", "[cli][e2e][usability]") {
  test::TempDir dir;
  auto data = sample_data(dir);
  test::write_file(dir.path() / "codes.jsonl",
                   R"({"type": "article", "id": "codes", "published": "2024", "authors": ["aliya-seitkal"], "original_language": "TR", "countries": ["Kazakhstan", "kz"], "translations": {"TR": {"title": "T", "body": "B"}}})"
                   "\n");
  auto r = test::defter(data, {"import", dir.str("codes.jsonl")});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("countries[0]: 'Kazakhstan' is not valid here (did you mean 'KZ'?)"));
  CHECK_THAT(r.err, Catch::Contains("countries[1]: 'kz' is not valid here (did you mean 'KZ'?)"));
  CHECK_THAT(r.err, Catch::Contains("original_language: 'TR' is not valid here (did you mean 'tr'?)"));
  CHECK_THAT(r.err, Catch::Contains("translations.TR: 'TR' is not valid as a key here (did you mean 'tr'?)"));
  // Fixed codes, the author id still wrong: the nearest ids.
  test::write_file(dir.path() / "author.jsonl",
                   R"({"type": "article", "id": "codes", "published": "2024", "authors": ["aliya-seitkal"], "original_language": "tr", "countries": ["KZ"], "translations": {"tr": {"title": "T", "body": "B"}}})"
                   "\n");
  auto a = test::defter(data, {"import", dir.str("author.jsonl")});
  CHECK_THAT(a.err, Catch::Contains("unknown author 'aliya-seitkal': not in the archive nor in this import (did you mean 'aliya-seitkali'?)"));
  // What is not near anything gets no suggestion.
  CHECK_THAT(test::defter(data, {"search", "--author", "zzzzzzzzzzzz"}).err, !Catch::Contains("did you mean"));

  // The same at search: filters that name nothing are errors (exit 2), as the API's are.
  auto s = test::defter(data, {"search", "--author", "irina-sokolov"});
  CHECK(s.exit_code == 2);
  CHECK_THAT(s.err, Catch::Contains("'irina-sokolov' is not an author's id in the archive (did you mean 'irina-sokolova'?)"));
  auto l = test::defter(data, {"search", "--lang", "TR"});
  CHECK(l.exit_code == 2);
  CHECK_THAT(l.err, Catch::Contains("did you mean 'tr'?"));
  CHECK(test::defter(data, {"search", "--lang", "tr"}).exit_code == 0);
  CHECK(test::defter(data, {"search", "--author", "irina-sokolova"}).exit_code == 0);
}

TEST_CASE("counts read as words: one batch, one warning, one conflict", "[cli][e2e][usability]") {
  test::TempDir dir;
  auto data = dir.str("data");
  test::write_file(dir.path() / "one.jsonl", R"({"type": "author", "id": "a1", "name": "A One", "nickname": "x"})" "\n");
  auto r = ok(data, {"import", dir.str("one.jsonl")});
  CHECK_THAT(r.out, Catch::StartsWith("1 added, 0 replaced, 0 unchanged, 0 rejected, 1 warning (1 line, 1 batch, "));
  auto st = ok(data, {"stats"});
  CHECK_THAT(st.out, Catch::Contains(" 1 entry "));
  CHECK_THAT(st.out, !Catch::Contains(" 1 entries"));
}

TEST_CASE("search output: what was asked, where the page is, facets that read right", "[cli][e2e][usability]") {
  test::TempDir dir;
  auto data = sample_data(dir);
  auto english = locale("en_US.UTF-8");
  auto all = ok(data, {"search", "--size", "3"}, english);
  CHECK_THAT(all.out, Catch::StartsWith("15 results\n"));
  CHECK_THAT(all.out, !Catch::Contains("everything"));
  CHECK_THAT(all.out, Catch::Contains("showing 1-3 of 15; the next page: --page 2"));
  auto last = ok(data, {"search", "--size", "10", "--page", "2"}, english);
  CHECK_THAT(last.out, Catch::Contains("showing 11-15 of 15\n"));
  auto past = ok(data, {"search", "--page", "9"}, english);
  CHECK_THAT(past.out, Catch::Contains("page 9 is past the last result (15 in all)"));
  auto few = ok(data, {"search", "aral"}, english);
  CHECK_THAT(few.out, !Catch::Contains("showing"));  // everything is on the page

  auto kz = ok(data, {"search", "kazakhstan", "--country", "KZ", "--from", "2022"}, english);
  CHECK_THAT(kz.out, Catch::StartsWith("6 results for kazakhstan, filtered by country KZ, published from 2022\n"));
  // A selected value is marked apart from its separator; a country's line
  // says how many are about it and how many only mention it.
  CHECK_THAT(kz.out, Catch::Contains("country  *Kazakhstan (KZ) 6 (2 as subject) · "));
  CHECK_THAT(kz.out, Catch::Contains("Armenia (AM) 1 (as subject)"));
  CHECK_THAT(kz.out, Catch::Contains("Afghanistan (AF) 1 (mentioned)"));
  CHECK_THAT(kz.out, !Catch::Contains("·*"));
  CHECK_THAT(kz.out, !Catch::Contains("[0 subject]"));
}

TEST_CASE("an English terminal sees the English translation first", "[cli][e2e][usability]") {
  test::TempDir dir;
  auto data = sample_data(dir);
  auto first_title = [&](const std::string& lang_env, std::vector<std::string> extra = {}) {
    auto o = locale(lang_env);
    std::vector<std::string> args = {"search", "kazakhstan", "--size", "1", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto j = json::parse(ok(data, args, o).out);
    REQUIRE(!j["hits"].empty());
    return j["hits"][0]["lang"].get<std::string>();
  };
  CHECK(first_title("en_US.UTF-8") == "en");
  CHECK(first_title("tr_TR.UTF-8") == "tr");
  CHECK(first_title("ru_RU.UTF-8") == "ru");
  CHECK(first_title("tr_TR.UTF-8", {"--prefer", "en"}) == "en");  // --prefer wins
  // A Turkish terminal names countries in Turkish too.
  CHECK_THAT(ok(data, {"search", "kazakhstan"}, locale("tr_TR.UTF-8")).out, Catch::Contains("Kazakistan (KZ)"));
}

TEST_CASE("stats rows add up, get starts with type and id, token list has a header", "[cli][e2e][usability]") {
  test::TempDir dir;
  auto data = sample_data(dir);
  auto text = ok(data, {"stats"}).out;
  // Every document of the index is on a language row, or on the row of
  // authors without a biography.
  std::uint64_t total = 0, rows = 0;
  std::smatch m;
  REQUIRE(std::regex_search(text, m, std::regex(R"(index \([^)]*\): (\d+) documents)")));
  total = std::stoull(m[1].str());
  std::regex row(R"(\n  (\S+) +(\d+) documents)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), row); it != std::sregex_iterator(); ++it)
    rows += std::stoull((*it)[2].str());
  CHECK(total > 0);
  CHECK(rows == total);
  CHECK_THAT(text, Catch::Contains("none") && Catch::Contains("(authors without a biography)"));

  auto get = ok(data, {"get", "aral-sea-basin-water-politics"}).out;
  CHECK(get.rfind("{\n  \"type\": \"article\",\n  \"id\": \"aral-sea-basin-water-politics\",\n", 0) == 0);
  auto tr = ok(data, {"get", "aral-sea-basin-water-politics", "--lang", "tr"}).out;
  CHECK(tr.find("\"type\"") < tr.find("\"title\""));
  auto compact = ok(data, {"get", "aliya-seitkali", "--compact"}).out;
  CHECK(compact.rfind("{\"type\":\"author\",\"id\":\"aliya-seitkali\",", 0) == 0);

  auto none = ok(data, {"token", "list"});
  CHECK(none.out == "name\tscope\tcreated\n");
  CHECK_THAT(none.err, Catch::Contains("no tokens yet"));
  ok(data, {"token", "create", "--name", "catalogue", "--scope", "read"});
  auto one = ok(data, {"token", "list"}).out;
  CHECK(one.rfind("name\tscope\tcreated\ncatalogue\tread\t", 0) == 0);
}

TEST_CASE("--help speaks plainly and shows examples", "[cli][e2e][usability]") {
  for (const char* command : {"import", "search", "serve", "revert", "export"}) {
    auto r = test::run({test::defter_binary(), command, "--help"});
    INFO(command);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Examples:\n  defter " + std::string(command)));
    CHECK_THAT(r.out, !Catch::Contains("UINT") && !Catch::Contains("INT in [") && !Catch::Contains("TEXT:{"));
  }
  auto imp = test::run({test::defter_binary(), "import", "--help"}).out;
  CHECK_THAT(imp, Catch::Contains("--batch N") && Catch::Contains("(1 to 1000000; default 1000)"));
  auto top = test::run({test::defter_binary(), "--help"}).out;
  CHECK_THAT(top, Catch::Contains("Examples:"));
  CHECK_THAT(top, !Catch::Contains("generate"));  // the build's command, not a user's
}

TEST_CASE("on a terminal: a progress line, colours, and a summary that is not overwritten", "[cli][e2e][usability]") {
  test::TempDir dir;
  auto data = dir.str("data");
  auto corpus = dir.path() / "corpus.jsonl";
  test::generate_corpus(corpus, 400, 60, 3);
  auto imp = on_terminal({test::defter_binary(), "--data", data, "import", "--no-index", corpus.string()});
  INFO(imp);
  // The progress line is drawn with a carriage return, erased before the
  // summary, and the summary ends the output on a line of its own.
  CHECK_THAT(imp, Catch::Contains(" records, ") && Catch::Contains(" records/s"));
  CHECK_THAT(imp, Catch::Contains("\r\033[K"));
  CHECK_THAT(imp, Catch::Contains("400 added, 0 replaced, 0 unchanged, 0 rejected (400 lines, 1 batch, "));
  auto summary = imp.find("400 added");
  CHECK(imp.find('\r', summary) == imp.find("\r\n", summary));  // nothing drawn over it

  ok(data, {"index"});
  auto s = on_terminal({test::defter_binary(), "--data", data, "search", "--size", "2"}, {{"LANG", "en_US.UTF-8"}, {"LC_ALL", ""}, {"LC_MESSAGES", ""}});
  INFO(s);
  CHECK_THAT(s, Catch::Contains("\033[1m"));  // titles in bold
  CHECK_THAT(s, Catch::Contains("showing 1-2 of "));
  // Through a pipe the same search has no escape sequences at all.
  auto piped = ok(data, {"search", "--size", "2"}).out;
  CHECK(piped.find('\033') == std::string::npos);
}

TEST_CASE("shell completions and the man page come from the same definitions as --help", "[cli][e2e][usability]") {
  test::TempDir dir;
  auto bash = test::run({test::defter_binary(), "generate", "bash"});
  REQUIRE(bash.exit_code == 0);
  test::write_file(dir.path() / "defter.bash", bash.out);
  CHECK(test::run({"/bin/bash", "-n", dir.str("defter.bash")}).exit_code == 0);
  // What bash offers, asked as it asks: the words so far and the cursor's word.
  auto complete = [&](const std::string& line) {
    std::string script = "source " + dir.str("defter.bash") + "\nCOMP_WORDS=(" + line +
                         ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n_defter\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    return test::run({"/bin/bash", "-c", script}).out;
  };
  CHECK(complete("defter imp") == "import\n");
  CHECK(complete("defter search --sort ''") == "relevance\nnewest\noldest\n");
  CHECK(complete("defter token ''") == "--help\n-h\ncreate\nlist\nrevoke\n");
  CHECK(complete("defter token create --scope w") == "write\n");
  CHECK(complete("defter --data /tmp import --dry") == "--dry-run\n");
  // Every command of --help is offered.
  auto top = complete("defter ''");
  for (const char* c : {"import", "search", "serve", "history", "revert", "token", "--data"}) CHECK_THAT(top, Catch::Contains(std::string(c) + "\n"));
  CHECK_THAT(top, !Catch::Contains("generate"));

  auto zsh = test::run({test::defter_binary(), "generate", "zsh"});
  CHECK(zsh.exit_code == 0);
  CHECK(zsh.out.rfind("#compdef defter\n", 0) == 0);
  CHECK_THAT(zsh.out, Catch::Contains("_defter_token_create()") && Catch::Contains("'--batch[records per transaction]:N: '"));

  auto man = test::run({test::defter_binary(), "generate", "man"});
  CHECK(man.exit_code == 0);
  test::write_file(dir.path() / "defter.1", man.out);
  // Rendered as man renders it (groff's man macros), lines long enough not to wrap.
  auto rendered = test::run({"/usr/bin/groff", "-man", "-Tascii", "-rLL=200n", "-P-c", "-P-b", "-P-o", "-P-u", "-ww", dir.str("defter.1")});
  INFO(rendered.err);
  CHECK(rendered.err.empty());  // no warning from the man macros
  CHECK(rendered.exit_code == 0);
  for (const char* s : {"defter import [OPTIONS] FILES...", "defter token create [OPTIONS]", "--batch N",
                        "records per transaction (1 to 1000000; default 1000)", "EXIT STATUS", "DEFTER_DATA"})
    CHECK_THAT(rendered.out, Catch::Contains(s));
}

TEST_CASE("undated and unsigned material: imported, listed as undated, sorted last, its own year value", "[cli][e2e][usability]") {
  test::TempDir dir;
  auto data = sample_data(dir);
  // An editorial known by nothing but its text, and a report known by its year only.
  test::write_file(dir.path() / "undated.jsonl",
                   R"({"type": "article", "id": "editorial", "original_language": "en", "translations": {"en": {"title": "Editorial: Why Kazakhstan Matters", "body": "An unsigned editorial about Kazakhstan and water."}}})"
                   "\n"
                   R"({"type": "article", "id": "report-2021", "published": "2021", "authors": [], "original_language": "en", "translations": {"en": {"title": "A Report on Kazakhstan", "body": "Known only by its year."}}})"
                   "\n");
  auto r = ok(data, {"import", dir.str("undated.jsonl")});
  CHECK_THAT(r.out, Catch::StartsWith("2 added, 0 replaced, 0 unchanged, 0 rejected"));
  auto got = json::parse(ok(data, {"get", "editorial"}).out);
  CHECK(!got.contains("published"));
  CHECK(got["authors"] == json::array());
  CHECK_THAT(ok(data, {"list", "--type", "article"}).out, Catch::Contains("editorial") && Catch::Contains("undated"));
  // A date that is there must still be a date.
  test::write_file(dir.path() / "bad.jsonl",
                   R"({"type": "article", "id": "bad-date", "published": "2021-13", "original_language": "en"})" "\n");
  CHECK_THAT(test::defter(data, {"import", dir.str("bad.jsonl")}).err, Catch::Contains("published"));

  auto ids = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "search");
    args.push_back("--json");
    auto j = json::parse(ok(data, args).out);
    std::vector<std::string> out;
    for (const auto& h : j["hits"]) out.push_back(h["id"]);
    return std::make_pair(out, j);
  };
  // Newest first and oldest first alike: the undated come after every dated one.
  for (const char* sort : {"newest", "oldest"}) {
    auto [list, j] = ids({"kazakhstan", "--sort", sort, "--size", "20", "--type", "article"});
    INFO(sort);
    REQUIRE(!list.empty());
    CHECK(list.back() == "editorial");
  }
  // The year facet has an "undated" value, after the years; it filters.
  auto [all, j] = ids({"kazakhstan"});
  auto years = j["facets"]["year"];
  REQUIRE(!years.empty());
  CHECK(years.back()["value"] == "undated");
  CHECK(years.back()["count"] == 1);
  CHECK(years.back()["label"] == "undated");
  auto [undated, u] = ids({"--year", "undated"});
  CHECK(undated == std::vector<std::string>{"editorial"});
  auto tr = json::parse(ok(data, {"search", "kazakhstan", "--ui-lang", "tr", "--json"}).out);
  CHECK(tr["facets"]["year"].back()["label"] == "tarihsiz");
  // On the terminal: "undated" where the date would be, no author names.
  auto text = ok(data, {"search", "editorial", "--size", "1"}).out;
  CHECK_THAT(text, Catch::Contains("undated · editorial"));
  // Exported and imported again, the same.
  auto exported = ok(data, {"export"}).out;
  test::TempDir again;
  test::write_file(again.path() / "all.jsonl", exported);
  ok(again.str("data"), {"import", again.str("all.jsonl")});
  CHECK(ok(again.str("data"), {"export"}).out == exported);
}
