// Bad input, each case on the real binary: a clear message naming the file,
// line, record and field, the right exit status, and an archive exactly as it
// was after its last committed batch.
#include <unistd.h>

#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "cli.hpp"

using namespace defter;
using nlohmann::json;

namespace {

const std::string kAuthor = R"({"type":"author","id":"au","name":"A"})";

std::string article_with(const std::string& field, const std::string& value) {
  json j = json::parse(R"({"type":"article","id":"ar","published":"2023-05-20","authors":["dogacan-basaran"],)"
                       R"("original_language":"en","translations":{"en":{"title":"T","body":"B"}}})");
  j[json::json_pointer(field)] = json::parse(value);
  return j.dump();
}

// An archive holding the seed, and its export.
struct Seeded {
  test::TempDir dir;
  std::string data = dir.str("data");
  std::string before;
  Seeded() {
    test::write_file(dir.path() / "seed.jsonl", test::seed_jsonl());
    REQUIRE(test::defter(data, {"import", dir.str("seed.jsonl")}).exit_code == 0);
    before = test::export_all(data);
  }
};

}  // namespace

TEST_CASE("bad records are rejected with file, line, record, field and reason", "[cli][e2e]") {
  struct Case {
    std::string name, line, message;
  };
  std::vector<Case> cases = {
      {"invalid JSON", R"({"type":"author","id":"x",)", "bad.jsonl:2: invalid JSON at byte 27: unexpected end of input"},
      {"invalid UTF-8", "{\"type\":\"author\",\"id\":\"x\",\"name\":\"Ba\xc5\x9f\xff\"}", "bad.jsonl:2: invalid UTF-8"},
      {"wrong type", article_with("/authors", R"("dogacan-basaran")"), "bad.jsonl:2: article ar: authors: expected array, got a string"},
      {"impossible date", article_with("/published", R"("2023-13-40")"), "bad.jsonl:2: article ar: published: '2023-13-40' is not valid here"},
      {"not a calendar date", article_with("/published", R"("2023-02-30")"), "bad.jsonl:2: article ar: published: '2023-02-30' is not a calendar date"},
      {"unknown language", article_with("/original_language", R"("xx")"), "article ar: original_language: 'xx' is not a known language tag"},
      {"malformed language", article_with("/translations/EN", R"({"title":"T","body":"B"})"), "article ar: translations.EN: 'EN' is not valid as a key here"},
      {"unknown country", article_with("/countries", R"(["KZ","XX"])"), "article ar: countries[1]: 'XX' is not an ISO 3166-1 alpha-2 country code"},
      {"malformed country", article_with("/countries", R"(["Kazakhstan"])"), "article ar: countries[0]: 'Kazakhstan' is not valid here"},
      {"unknown author", article_with("/authors", R"(["ghost"])"), "article ar: authors[0]: unknown author 'ghost'"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      Seeded s;
      // A good record first, to show that it still goes in.
      test::write_file(s.dir.path() / "bad.jsonl", kAuthor + "\n" + c.line + "\n");
      auto r = test::defter(s.data, {"import", s.dir.str("bad.jsonl")});
      INFO(r.err);
      CHECK(r.exit_code == 1);
      CHECK_THAT(r.err, Catch::Contains(c.message));
      CHECK_THAT(r.out, Catch::StartsWith("1 added, 0 replaced, 0 unchanged, 1 rejected"));
      auto after = test::export_all(s.data);
      CHECK(after == json::parse(kAuthor).dump() + "\n" + s.before);  // authors export first
    }
  }
}

TEST_CASE("unknown fields are a warning and the record goes in", "[cli][e2e]") {
  Seeded s;
  test::write_file(s.dir.path() / "extra.jsonl", R"({"type":"author","id":"au","name":"A","shoe_size":44})" "\n");
  auto r = test::defter(s.data, {"import", s.dir.str("extra.jsonl")});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("extra.jsonl:1: warning: author au: shoe_size: unknown field, ignored"));
  CHECK_THAT(r.out, Catch::Contains("1 added, 0 replaced, 0 unchanged, 0 rejected, 1 warning ("));
  CHECK_THAT(test::export_all(s.data), !Catch::Contains("shoe_size"));
}

TEST_CASE("a 50 MB body is refused by its field and a 200 MB line is skipped unread", "[cli][e2e]") {
  Seeded s;
  {
    std::string big = article_with("/translations/en/body", json(std::string(50u << 20, 'a')).dump());
    test::write_file(s.dir.path() / "body.jsonl", big + "\n" + kAuthor + "\n");
  }
  auto r = test::defter(s.data, {"import", s.dir.str("body.jsonl")});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("body.jsonl:1: article ar: translations.en.body:"));
  CHECK_THAT(r.err, Catch::Contains("10000000"));
  CHECK_THAT(r.out, Catch::StartsWith("1 added, 0 replaced, 0 unchanged, 1 rejected"));

  {
    std::ofstream out(s.dir.path() / "line.jsonl", std::ios::binary);
    std::string chunk(1 << 20, 'x');
    out << "{\"type\":\"author\",\"id\":\"huge\",\"name\":\"";
    for (int i = 0; i < 200; ++i) out << chunk;
    out << "\"}\n" << R"({"type":"author","id":"after","name":"B"})" << "\n";
  }
  auto l = test::defter(s.data, {"import", s.dir.str("line.jsonl")});
  CHECK(l.exit_code == 1);
  CHECK_THAT(l.err, Catch::Contains("line.jsonl:1: line of 209715239 bytes is over the 67108864-byte limit"));
  CHECK_THAT(l.out, Catch::StartsWith("1 added, 0 replaced, 0 unchanged, 1 rejected"));
  auto after = test::defter(s.data, {"get", "after"});
  CHECK(after.exit_code == 0);
}

TEST_CASE("files that are not JSON Lines files are refused before anything is written", "[cli][e2e]") {
  Seeded s;
  test::write_file(s.dir.path() / "empty.jsonl", "");
  test::write_file(s.dir.path() / "good.jsonl", kAuthor + "\n");
  std::filesystem::create_directory(s.dir.path() / "folder");
  struct Case {
    std::string file, message;
    int code;
  };
  for (const Case& c : {Case{"empty.jsonl", "empty.jsonl: empty file, no records to import", 2},
                        Case{"folder", "folder: is a directory", 2},
                        Case{"missing.jsonl", "missing.jsonl: no such file; nothing was imported", 2}}) {
    INFO(c.file);
    // The good file comes first, and still nothing of it is written.
    auto r = test::defter(s.data, {"import", s.dir.str("good.jsonl"), s.dir.str(c.file)});
    CHECK(r.exit_code == c.code);
    CHECK_THAT(r.err, Catch::Contains(c.message));
    CHECK(test::export_all(s.data) == s.before);
  }
}

TEST_CASE("a read-only data directory is a clear error", "[cli][e2e][fault]") {
  Seeded s;
  test::write_file(s.dir.path() / "good.jsonl", kAuthor + "\n");
  test::RunOptions options;
  // root ignores permission bits: the import runs as an unprivileged user.
  if (::getuid() == 0) options.as_user = 65534;
  else std::filesystem::permissions(s.dir.path() / "data" / "archive", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  auto r = test::defter(s.data, {"import", s.dir.str("good.jsonl")}, options);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("data directory is not writable"));
  CHECK_THAT(r.err, Catch::Contains("data/archive"));
  std::filesystem::permissions(s.dir.path() / "data" / "archive", std::filesystem::perms::owner_all);
  CHECK(test::export_all(s.data) == s.before);
}

TEST_CASE("a disk that fills during an import: clear error, committed batches kept, resumable", "[cli][e2e][fault]") {
  test::TempDir dir;
  test::generate_corpus(dir.path() / "corpus.jsonl", 300, 400, 3);
  auto data = dir.str("data");
  test::RunOptions full;
  full.file_size_limit = 1 << 20;  // the archive's data file may not grow past 1 MiB
  auto r = test::defter(data, {"import", "-v", "--batch", "20", dir.str("corpus.jsonl")}, full);
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("free some disk space"));
  CHECK_THAT(r.err, Catch::Contains("run the same import again"));
  // What was reported committed is there, and nothing else.
  std::size_t committed = 0;
  std::regex batch_line("committed batch [0-9]+: ([0-9]+) records");
  for (std::sregex_iterator it(r.err.begin(), r.err.end(), batch_line), end; it != end; ++it)
    committed += std::stoul((*it)[1]);
  CHECK(committed > 0);
  CHECK(committed < 300);
  // Space is back: the same import completes.
  auto again = test::defter(data, {"import", dir.str("corpus.jsonl")});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::StartsWith(std::to_string(300 - committed) + " added, 0 replaced, " +
                                           std::to_string(committed) + " unchanged, 0 rejected"));
}
