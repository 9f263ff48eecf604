// `defter import` and `defter export` end to end, on the real binary.
#include <future>

#include <nlohmann/json.hpp>

#include "cli.hpp"

using namespace defter;
using nlohmann::json;

std::string test::seed_jsonl() {
  std::string out;
  for (const char* name : {"seed-author.json", "seed-article.json", "seed-translation-tr.json",
                           "seed-translation-ru.json"})
    out += json::parse(read_file(source_dir() / "schema" / "examples" / name)).dump() + "\n";
  return out;
}

TEST_CASE("import twice, export, import the export: identical every time", "[cli][e2e]") {
  test::TempDir dir;
  test::write_file(dir.path() / "seed.jsonl", test::seed_jsonl());
  test::generate_corpus(dir.path() / "corpus.jsonl", 400, 200, 7);
  auto data = dir.str("data");

  auto first = test::defter(data, {"import", dir.str("seed.jsonl"), dir.str("corpus.jsonl")});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::StartsWith("404 added, 0 replaced, 0 unchanged, 0 rejected"));
  std::string exported = test::export_all(data);

  auto second = test::defter(data, {"import", dir.str("seed.jsonl"), dir.str("corpus.jsonl")});
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(second.out, Catch::StartsWith("0 added, 0 replaced, 404 unchanged, 0 rejected"));
  CHECK(test::export_all(data) == exported);

  test::write_file(dir.path() / "export.jsonl", exported);
  auto data2 = dir.str("data2");
  auto again = test::defter(data2, {"import", dir.str("export.jsonl")});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(test::export_all(data2) == exported);

  // The seed came in as an article and two translation records; the export
  // holds one article with all three languages.
  auto seed = test::defter(data2, {"get", "china-central-asia-c5-summit-2023", "--compact"});
  REQUIRE(seed.exit_code == 0);
  auto article = json::parse(seed.out);
  CHECK(article["translations"].size() == 3);
  CHECK(article["translations"]["ru"]["footnotes"][10]["publisher"] == "Orient");
}

TEST_CASE("export to a file, by type", "[cli][e2e]") {
  test::TempDir dir;
  test::write_file(dir.path() / "seed.jsonl", test::seed_jsonl());
  auto data = dir.str("data");
  REQUIRE(test::defter(data, {"import", dir.str("seed.jsonl")}).exit_code == 0);
  REQUIRE(test::defter(data, {"export", "--type", "author", "-o", dir.str("authors.jsonl")}).exit_code == 0);
  auto authors = test::read_file(dir.path() / "authors.jsonl");
  CHECK(std::count(authors.begin(), authors.end(), '\n') == 1);
  CHECK_THAT(authors, Catch::Contains("\"Doğacan Başaran\""));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "authors.jsonl.tmp"));
}

TEST_CASE("a dry run counts what would happen and writes nothing", "[cli][e2e]") {
  test::TempDir dir;
  test::write_file(dir.path() / "seed.jsonl", test::seed_jsonl());
  auto data = dir.str("data");
  REQUIRE(test::defter(data, {"import", dir.str("seed.jsonl")}).exit_code == 0);
  auto before = test::export_all(data);
  auto stats_before = test::defter(data, {"stats", "--json"}).out;

  std::string more = R"({"type":"author","id":"new-author","name":"Yeni Yazar"})" "\n"
                     R"({"type":"author","id":"dogacan-basaran","name":"Doğacan Başaran","honorific":"Doç. Dr."})" "\n"
                     R"({"type":"article","id":"bad","published":"2023-13","authors":["x"],"original_language":"en"})" "\n";
  test::write_file(dir.path() / "more.jsonl", test::seed_jsonl() + more);
  auto dry = test::defter(data, {"import", "--dry-run", dir.str("more.jsonl")});
  CHECK(dry.exit_code == 1);  // one rejected
  CHECK_THAT(dry.out, Catch::Contains("would be: 1 added, 1 replaced, 4 unchanged, 1 rejected"));
  CHECK(test::export_all(data) == before);
  CHECK(test::defter(data, {"stats", "--json"}).out == stats_before);
}

TEST_CASE("references may come later in the import and missing ones are rejected", "[cli][e2e]") {
  test::TempDir dir;
  auto data = dir.str("data");
  // Translation before its article, article before its author.
  std::string lines =
      R"({"type":"translation","article":"a1","lang":"ru","title":"Т","body":"Текст"})" "\n"
      R"({"type":"article","id":"a1","published":"2024","authors":["late"],"original_language":"en","translations":{"en":{"title":"T","body":"B"}}})" "\n"
      R"({"type":"article","id":"a2","published":"2024","authors":["nobody"],"original_language":"en"})" "\n"
      R"({"type":"translation","article":"ghost","lang":"tr","title":"T","body":"B"})" "\n"
      R"({"type":"author","id":"late","name":"Late Author"})" "\n";
  test::write_file(dir.path() / "refs.jsonl", lines);
  auto r = test::defter(data, {"import", "--batch", "1", dir.str("refs.jsonl")});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::StartsWith("3 added, 0 replaced, 0 unchanged, 2 rejected"));
  CHECK_THAT(r.err, Catch::Contains("refs.jsonl:3: article a2: authors[0]: unknown author 'nobody'"));
  CHECK_THAT(r.err, Catch::Contains("refs.jsonl:4: translation ghost/tr: article: unknown article 'ghost'"));
  auto a1 = test::defter(data, {"get", "a1", "--compact"});
  REQUIRE(a1.exit_code == 0);
  CHECK(json::parse(a1.out)["translations"].size() == 2);
}

TEST_CASE("strict mode stops at the first rejected record and commits nothing of its batch", "[cli][e2e]") {
  test::TempDir dir;
  auto data = dir.str("data");
  std::string lines;
  for (int i = 1; i <= 4; ++i) lines += R"({"type":"author","id":"au)" + std::to_string(i) + R"(","name":"A"})" "\n";
  lines += R"({"type":"author","id":"au5"})" "\n";  // no name
  lines += R"({"type":"author","id":"au6","name":"A"})" "\n";
  test::write_file(dir.path() / "strict.jsonl", lines);
  auto r = test::defter(data, {"import", "--strict", "--batch", "3", dir.str("strict.jsonl")});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("strict.jsonl:5: author au5: name: required field is missing"));
  CHECK_THAT(r.err, Catch::Contains("--strict"));
  auto exported = test::export_all(data);
  CHECK(std::count(exported.begin(), exported.end(), '\n') == 3);  // batch 1 only
  CHECK_THAT(exported, !Catch::Contains("au4"));
}

TEST_CASE("the same id twice in one import: a warning, and the last wins", "[cli][e2e]") {
  test::TempDir dir;
  auto data = dir.str("data");
  test::write_file(dir.path() / "dup.jsonl", R"({"type":"author","id":"au","name":"First"})" "\n"
                                             R"({"type":"author","id":"au","name":"Second"})" "\n");
  auto r = test::defter(data, {"import", dir.str("dup.jsonl")});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("dup.jsonl:2: warning: author au: same record as"));
  CHECK_THAT(r.err, Catch::Contains("dup.jsonl:1; the last one wins"));
  CHECK(json::parse(test::defter(data, {"get", "au", "--compact"}).out)["name"] == "Second");
}

TEST_CASE("the last of two duplicates wins even when the first waited for a reference", "[cli][e2e]") {
  test::TempDir dir;
  auto data = dir.str("data");
  // Line 2 names an author not there yet, so it waits; line 3 (the same id,
  // an author that exists) goes in first; line 4 brings the author of line 2.
  test::write_file(dir.path() / "dup.jsonl",
                   R"({"type":"author","id":"old","name":"Old"})" "\n"
                   R"({"type":"article","id":"a","published":"2020","authors":["late"],"original_language":"en"})" "\n"
                   R"({"type":"article","id":"a","published":"2021","authors":["old"],"original_language":"en"})" "\n"
                   R"({"type":"author","id":"late","name":"Late"})" "\n");
  REQUIRE(test::defter(data, {"import", "--batch", "1", dir.str("dup.jsonl")}).exit_code == 0);
  CHECK(json::parse(test::defter(data, {"get", "a", "--compact"}).out)["published"] == "2021");
}

TEST_CASE("standard input, DEFTER_DATA, get, delete and stats", "[cli][e2e]") {
  test::TempDir dir;
  test::RunOptions options;
  options.env["DEFTER_DATA"] = dir.str("envdata");
  options.stdin_text = test::seed_jsonl();
  auto r = test::run({test::defter_binary(), "import", "-"}, options);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto data = dir.str("envdata");
  auto stats = json::parse(test::defter(data, {"stats", "--json"}).out);
  CHECK(stats["articles"] == 1);
  CHECK(stats["translations_per_language"] == json({{"en", 1}, {"ru", 1}, {"tr", 1}}));
  CHECK(stats["biographies_per_language"] == json({{"tr", 1}}));

  auto tr = test::defter(data, {"get", "china-central-asia-c5-summit-2023", "--lang", "tr", "--compact"});
  REQUIRE(tr.exit_code == 0);
  CHECK(json::parse(tr.out)["title"] == "Çin-Orta Asya İlişkilerinde Güçlü İşbirliğini Pekiştirme Adımları");

  auto refused = test::defter(data, {"delete", "dogacan-basaran"});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("named by 1 article"));
  CHECK(test::defter(data, {"delete", "china-central-asia-c5-summit-2023", "--lang", "ru"}).exit_code == 0);
  CHECK(test::defter(data, {"delete", "china-central-asia-c5-summit-2023"}).exit_code == 0);
  CHECK(test::defter(data, {"delete", "dogacan-basaran"}).exit_code == 0);
  auto missing = test::defter(data, {"get", "dogacan-basaran"});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("no author or article 'dogacan-basaran'"));
  CHECK(test::export_all(data).empty());
}

TEST_CASE("two imports into one data directory at once both finish with every record, all indexed", "[cli][e2e]") {
  test::TempDir dir;
  test::generate_corpus(dir.path() / "a.jsonl", 600, 150, 1, "a");
  test::generate_corpus(dir.path() / "b.jsonl", 600, 150, 2, "b");
  auto data = dir.str("data");
  auto run_a = std::async(std::launch::async, [&] { return test::defter(data, {"import", "--batch", "20", dir.str("a.jsonl")}); });
  auto run_b = std::async(std::launch::async, [&] { return test::defter(data, {"import", "--batch", "20", dir.str("b.jsonl")}); });
  auto a = run_a.get(), b = run_b.get();
  INFO(a.err << b.err);
  CHECK(a.exit_code == 0);
  CHECK(b.exit_code == 0);
  CHECK_THAT(a.out, Catch::StartsWith("600 added"));
  CHECK_THAT(b.out, Catch::StartsWith("600 added"));
  // Every record of both is there: importing both again changes nothing.
  auto again = test::defter(data, {"import", dir.str("a.jsonl"), dir.str("b.jsonl")});
  CHECK_THAT(again.out, Catch::StartsWith("0 added, 0 replaced, 1200 unchanged, 0 rejected"));
  // And every record of both is indexed: the import that held the index
  // went on until the log was empty (the one that read the log's end once
  // left dozens to hundreds of records unindexed, every time).
  auto verify = test::defter(data, {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK_THAT(verify.out, Catch::StartsWith("clean: 0 missing"));
}

TEST_CASE("the bundled sample archive imports cleanly and round-trips", "[cli][e2e]") {
  test::TempDir dir;
  auto sample = test::source_dir() / "tools" / "sample";
  std::vector<std::string> args{"import"};
  for (const char* f : {"10-authors.jsonl", "20-articles.jsonl", "30-translations.jsonl", "40-manual-page.jsonl"})
    args.push_back((sample / f).string());
  auto data = dir.str("data");
  auto r = test::defter(data, args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());  // not even a warning
  auto stats = json::parse(test::defter(data, {"stats", "--json"}).out);
  CHECK(stats["authors"] == 6);
  CHECK(stats["articles"] == 9);
  for (const char* lang : {"en", "tr", "ru", "zh"}) CHECK(stats["translations_per_language"][lang] >= 3);
  // The seed article exists in four languages, as does the manual page.
  for (const char* id : {"china-central-asia-c5-summit-2023", "passwd-1-manual-page"}) {
    auto got = test::defter(data, {"get", id, "--compact"});
    REQUIRE(got.exit_code == 0);
    CHECK(json::parse(got.out)["translations"].size() == 4);
  }
  auto list = test::defter(data, {"list"});
  REQUIRE(list.exit_code == 0);
  CHECK(std::count(list.out.begin(), list.out.end(), '\n') == 15);
  CHECK_THAT(list.out, Catch::Contains("china-central-asia-c5-summit-2023            2023-05    en,ru,tr,zh Steps to"));
  CHECK_THAT(list.out, Catch::Contains("author   wang-li"));
  CHECK(test::defter(data, {"list", "--type", "author"}).out.find("article ") == std::string::npos);

  auto exported = test::export_all(data);
  test::write_file(dir.path() / "export.jsonl", exported);
  REQUIRE(test::defter(dir.str("data2"), {"import", dir.str("export.jsonl")}).exit_code == 0);
  CHECK(test::export_all(dir.str("data2")) == exported);
}
