// Faults and hostile input at the command line, each on the real binary:
// nesting and NUL bytes in JSON, the translations limit, bits flipped and
// files cut short on disk, an index that cannot be written or is damaged,
// control characters in records, old generations. (Two imports at once:
// import_test.cpp.)
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli.hpp"

using namespace defter;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kAuthor = R"({"type":"author","id":"au","name":"A"})";

// An author line whose unknown field "x" nests `depth` levels (the record
// itself is one more).
std::string nested_author(std::size_t depth) {
  return R"({"type":"author","id":"deep","name":"Deep","x":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
}

// Country codes, each a region subtag of a valid language tag ("en-KZ").
const std::vector<std::string> kRegions = {
    "AD", "AE", "AF", "AG", "AL", "AM", "AO", "AR", "AT", "AU", "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI",
    "BJ", "BN", "BO", "BR", "BS", "BT", "BW", "BY", "BZ", "CA", "CD", "CF", "CG", "CH", "CI", "CL", "CM", "CN", "CO",
    "CR", "CU", "CV", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "ER", "ES", "ET", "FI", "FJ",
    "FM", "FR", "GA", "GB", "GD", "GE", "GH", "GM", "GN", "GQ", "GR", "GT", "GW", "GY", "HN", "HR", "HT", "HU", "ID",
    "IE", "IL", "IN", "IQ", "IR", "IS", "IT", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW",
    "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV"};

json article_with_languages(const std::string& id, std::size_t n) {
  json j = {{"type", "article"}, {"id", id}, {"published", "2024"}, {"authors", {"au"}}, {"original_language", "en"},
            {"translations", json::object()}};
  for (std::size_t i = 0; i < n; ++i)
    j["translations"]["en-" + kRegions.at(i)] = {{"title", "Title " + kRegions[i]}, {"body", "Body " + kRegions[i]}};
  return j;
}

// Every offset of `needle` in a file.
std::vector<std::size_t> offsets_of(const fs::path& file, const std::string& needle) {
  std::string bytes = test::read_file(file);
  std::vector<std::size_t> out;
  for (std::size_t p = bytes.find(needle); p != std::string::npos; p = bytes.find(needle, p + 1)) out.push_back(p);
  return out;
}

void flip_bit(const fs::path& file, std::size_t offset, int bit) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ (1 << bit));
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

// The sample archive, imported and indexed.
struct SampleData {
  test::TempDir dir;
  std::string data = dir.str("data");
  SampleData() {
    std::vector<std::string> args{"import"};
    for (const char* f : {"10-authors.jsonl", "20-articles.jsonl", "30-translations.jsonl"})
      args.push_back((test::source_dir() / "tools" / "sample" / f).string());
    auto r = test::defter(data, args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
};

bool has_control(const std::string& s) {
  for (char c : s)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f) return true;
  return false;
}

}  // namespace

TEST_CASE("JSON nested past 64 levels is refused, at 64 it goes in, a NUL byte is an error, a key twice is a warning",
          "[cli][e2e][hostile]") {
  test::TempDir dir;
  auto data = dir.str("data");
  std::string nul_line = R"({"type":"author","id":"nul","name":"x"})";
  nul_line += '\0';
  nul_line += R"({"evil":1})";
  test::write_file(dir.path() / "in.jsonl", nested_author(63) + "\n" + nested_author(100000) + "\n" + nul_line + "\n" +
                                                R"({"type":"author","id":"twice","name":"First","name":"Second"})" "\n");
  auto r = test::defter(data, {"import", dir.str("in.jsonl")});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("in.jsonl:2: JSON nested deeper than 64 levels"));
  CHECK_THAT(r.err, Catch::Contains("in.jsonl:3: a NUL byte at byte 40"));
  CHECK_THAT(r.err, Catch::Contains("in.jsonl:4: warning: author twice: name: the key is given more than once"));
  auto deep = test::defter(data, {"get", "deep"});
  CHECK(deep.exit_code == 0);  // the record at the limit went in (its unknown field dropped)
  CHECK(test::defter(data, {"get", "nul"}).exit_code == 1);
  auto twice = test::defter(data, {"get", "twice"});
  CHECK(json::parse(twice.out)["name"] == "Second");
}

TEST_CASE("an article has at most 100 translations, whether they come with it or one by one", "[cli][e2e][limit]") {
  test::TempDir dir;
  auto data = dir.str("data");
  std::string lines = kAuthor + "\n" + article_with_languages("at-limit", 100).dump() + "\n" +
                      article_with_languages("past-limit", 101).dump() + "\n";
  test::write_file(dir.path() / "in.jsonl", lines);
  auto r = test::defter(data, {"import", dir.str("in.jsonl")});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("in.jsonl:3: article past-limit: translations"));
  CHECK(json::parse(test::defter(data, {"get", "at-limit"}).out)["translations"].size() == 100);
  CHECK(test::defter(data, {"get", "past-limit"}).exit_code == 1);
  // One more, on its own: refused; one that replaces an existing language: fine.
  json extra = {{"type", "translation"}, {"article", "at-limit"}, {"lang", "en-" + kRegions[100]}, {"title", "T"}, {"body", "B"}};
  json replace = {{"type", "translation"}, {"article", "at-limit"}, {"lang", "en-AD"}, {"title", "New"}, {"body", "B"}};
  test::write_file(dir.path() / "more.jsonl", extra.dump() + "\n" + replace.dump() + "\n");
  auto more = test::defter(data, {"import", dir.str("more.jsonl")});
  INFO(more.err);
  CHECK(more.exit_code == 1);
  CHECK_THAT(more.err, Catch::Contains("more.jsonl:1: translation at-limit/en-" + kRegions[100] +
                                       ": lang: article 'at-limit' would have 101 translations; at most 100"));
  CHECK_THAT(more.out, Catch::StartsWith("0 added, 1 replaced, 0 unchanged, 1 rejected"));
  auto verify = test::defter(data, {"verify"});
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("a bit flipped in a record on disk: named, exit 3, never an abort, export --skip-damaged saves the rest",
          "[cli][e2e][fault]") {
  SampleData s;
  std::string marker = "Qzzyxflipmarker";
  test::write_file(s.dir.path() / "marked.jsonl",
                   R"({"type":"author","id":"marked","name":")" + marker + R"("})" "\n");
  REQUIRE(test::defter(s.data, {"import", s.dir.str("marked.jsonl")}).exit_code == 0);
  std::string before = test::export_all(s.data);
  auto file = fs::path(s.data) / "archive" / "data.mdb";
  auto at = offsets_of(file, marker);
  REQUIRE(!at.empty());
  for (int bit : {0, 3, 6}) {
    INFO("bit " << bit);
    for (auto o : at) flip_bit(file, o + 5, bit);  // in the record's value (every copy LMDB keeps of it)
    auto get = test::defter(s.data, {"get", "marked"});
    CHECK(get.exit_code == 3);
    CHECK_THAT(get.err, Catch::Contains("author marked is damaged"));
    auto verify = test::defter(s.data, {"verify"});
    CHECK(verify.exit_code == 3);
    CHECK_THAT(verify.out, Catch::Contains("damaged author marked is damaged") && Catch::Contains("damaged: 1 record"));
    auto all = test::defter(s.data, {"export"});
    CHECK(all.exit_code == 3);
    CHECK_THAT(all.err, Catch::Contains("author marked") && Catch::Contains("--skip-damaged"));
    auto out = s.dir.path() / "salvaged.jsonl";
    auto salvage = test::defter(s.data, {"export", "--skip-damaged", "-o", out.string()});
    CHECK(salvage.exit_code == 1);
    CHECK_THAT(salvage.err, Catch::Contains("skipped: author marked is damaged") && Catch::Contains("1 damaged record"));
    // Everything but the damaged record, as it was.
    std::string expected;
    std::istringstream lines(before);
    for (std::string line; std::getline(lines, line);)
      if (line.find(marker) == std::string::npos) expected += line + "\n";
    CHECK(test::read_file(out) == expected);
    // No command dies of it.
    for (std::vector<std::string> args : {std::vector<std::string>{"list"}, {"stats"}, {"search", "Kazakhstan"},
                                          {"get", "china-central-asia-c5-summit-2023"}}) {
      auto r = test::defter(s.data, args);
      INFO(args[0] << ": " << r.err);
      CHECK(r.signal == 0);
      CHECK((r.exit_code == 0 || r.exit_code == 3));
    }
    for (auto o : at) flip_bit(file, o + 5, bit);
    CHECK(test::defter(s.data, {"get", "marked"}).exit_code == 0);
  }
  // Imported again, a damaged record is whole again.
  for (auto o : at) flip_bit(file, o + 1, 1);
  REQUIRE(test::defter(s.data, {"get", "marked"}).exit_code == 3);
  REQUIRE(test::defter(s.data, {"import", s.dir.str("marked.jsonl")}).exit_code == 0);
  CHECK(test::defter(s.data, {"get", "marked"}).exit_code == 0);
  CHECK(test::export_all(s.data) == before);
}

TEST_CASE("an archive file cut short: every command says so and exits 3, so does restoring such a backup",
          "[cli][e2e][fault]") {
  SampleData s;
  auto backup = s.dir.path() / "backup";
  REQUIRE(test::defter(s.data, {"backup", backup.string()}).exit_code == 0);
  auto file = fs::path(s.data) / "archive" / "data.mdb";
  REQUIRE(fs::file_size(file) > 65536);
  fs::resize_file(file, 65536);
  fs::resize_file(backup / "archive" / "data.mdb", 65536);
  for (std::vector<std::string> args :
       {std::vector<std::string>{"get", "china-central-asia-c5-summit-2023"}, {"export"}, {"verify"}, {"stats"}, {"list"},
        {"search", "Kazakhstan"}, {"import", (test::source_dir() / "tools" / "sample" / "10-authors.jsonl").string()},
        {"serve", "--port", "0"}}) {
    INFO(args[0]);
    auto r = test::defter(s.data, args);
    CHECK(r.signal == 0);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("data.mdb") && Catch::Contains("cut short"));
  }
  auto fresh = s.dir.str("fresh");
  auto restored = test::defter(fresh, {"restore", backup.string()});
  CHECK(restored.signal == 0);
  CHECK(restored.exit_code == 3);
  CHECK_THAT(restored.err, Catch::Contains("cut short"));
}

TEST_CASE("an index that cannot be written or is damaged is said to be so", "[cli][e2e][fault]") {
  SampleData s;
  auto index = fs::path(s.data) / "index";
  // Not writable: by an unprivileged user when run as root (root ignores permissions).
  test::RunOptions as;
  if (::getuid() == 0) as.as_user = 65534;
  for (const auto& e : fs::recursive_directory_iterator(s.data))
    fs::permissions(e.path(), e.is_directory() ? fs::perms::all : fs::perms::owner_read | fs::perms::owner_write |
                                                                     fs::perms::group_read | fs::perms::group_write |
                                                                     fs::perms::others_read | fs::perms::others_write);
  fs::permissions(s.data, fs::perms::all);
  const auto read_only = fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read | fs::perms::group_exec |
                         fs::perms::others_read | fs::perms::others_exec;
  for (const auto& e : fs::recursive_directory_iterator(index))
    fs::permissions(e.path(), e.is_directory() ? read_only : fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(index, read_only);
  test::write_file(s.dir.path() / "one.jsonl", R"({"type":"author","id":"one","name":"One"})" "\n");
  fs::permissions(s.dir.path() / "one.jsonl", fs::perms::all);
  fs::permissions(s.dir.path(), fs::perms::all);
  auto r = test::defter(s.data, {"import", s.dir.str("one.jsonl")}, as);
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("not writable"));
  CHECK(r.err.find("another process") == std::string::npos);
  for (const auto& e : fs::recursive_directory_iterator(index)) fs::permissions(e.path(), fs::perms::all);
  fs::permissions(index, fs::perms::all);
  // Damaged: a table of the live generation overwritten.
  std::string generation;
  {
    std::ifstream stub(index / "current");
    std::string backend;
    stub >> backend >> generation;
  }
  auto table = index / generation / "postlist.glass";
  REQUIRE(fs::exists(table));
  test::write_file(table, std::string(fs::file_size(table), 'X'));
  auto stats = test::defter(s.data, {"stats"});
  INFO(stats.out << stats.err);
  CHECK(stats.exit_code == 3);
  CHECK_THAT(stats.err, Catch::Contains("damaged") && Catch::Contains("defter reindex"));
  CHECK(stats.out.find("no index yet") == std::string::npos);
  auto search = test::defter(s.data, {"search", "Kazakhstan"});
  CHECK(search.exit_code == 3);
  CHECK_THAT(search.err, Catch::Contains("defter reindex"));
  REQUIRE(test::defter(s.data, {"reindex"}).exit_code == 0);
  CHECK(test::defter(s.data, {"verify"}).exit_code == 0);
}

TEST_CASE("control characters in records never reach the terminal, a problem is one line", "[cli][e2e][hostile]") {
  SampleData s;
  json evil = {{"type", "author"}, {"id", "evil"}, {"name", "Evil\u001b]0;PWNED\u0007\u001b[2J\u009b31m Qevilname"}};
  test::write_file(s.dir.path() / "evil.jsonl", evil.dump() + "\n" +
                                                    R"({"type":"author","id":"a\nb\u001b[2J","name":"x"})" "\n");
  auto r = test::defter(s.data, {"import", s.dir.str("evil.jsonl")});
  CHECK(r.exit_code == 1);
  // The rejected id is escaped: the problem stays on one line.
  std::size_t problem_lines = 0;
  std::istringstream err(r.err);
  for (std::string line; std::getline(err, line);)
    if (line.find("evil.jsonl:") != std::string::npos) {
      ++problem_lines;
      CHECK_THAT(line, Catch::Contains("evil.jsonl:2:") && Catch::Contains("a\\nb\\x1b[2J"));
    }
  CHECK(problem_lines == 1);
  CHECK(!has_control(r.err));
  for (std::vector<std::string> args : {std::vector<std::string>{"list"}, {"search", "Qevilname"}, {"suggest", "Evil"},
                                        {"get", "evil"}}) {
    auto out = test::defter(s.data, args);
    INFO(args[0] << ": " << out.out);
    CHECK(out.exit_code == 0);
    CHECK(!has_control(out.out));
    CHECK(out.out.find("\xc2\x9b") == std::string::npos);  // nor the one-byte CSI
    CHECK(!has_control(out.err));
  }
  CHECK_THAT(test::defter(s.data, {"list"}).out, Catch::Contains("Evil\\x1b]0;PWNED\\x07\\x1b[2J\\u009b31m Qevilname"));
}

TEST_CASE("reindex leaves only the new generation on disk", "[cli][e2e]") {
  SampleData s;
  for (int i = 0; i < 3; ++i) REQUIRE(test::defter(s.data, {"reindex"}).exit_code == 0);
  std::size_t generations = 0;
  for (const auto& e : fs::directory_iterator(fs::path(s.data) / "index"))
    generations += e.path().filename().string().rfind("gen-", 0) == 0 ? 1 : 0;
  CHECK(generations == 1);
  CHECK(test::defter(s.data, {"verify"}).exit_code == 0);
}
