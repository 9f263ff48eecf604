// defter search and defter suggest on the real binary, over the sample archive.
#include <nlohmann/json.hpp>

#include "cli.hpp"

using namespace defter;
using nlohmann::json;

namespace {

// The sample archive imported (and indexed) by the real binary.
std::string sample_data(const test::TempDir& dir) {
  std::vector<std::string> args = {"import"};
  for (const char* f : {"10-authors.jsonl", "20-articles.jsonl", "30-translations.jsonl", "40-manual-page.jsonl"})
    args.push_back((test::source_dir() / "tools" / "sample" / f).string());
  auto data = dir.str("data");
  auto r = test::defter(data, args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return data;
}

json search_json(const std::string& data, std::vector<std::string> args) {
  args.insert(args.begin(), "search");
  args.push_back("--json");
  auto r = test::defter(data, args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

}  // namespace

TEST_CASE("defter search --json gives the API's fields", "[cli][e2e][search]") {
  test::TempDir dir;
  auto data = sample_data(dir);
  auto j = search_json(data, {"Kazakhstan", "--prefer", "ru"});
  CHECK(j["query"]["understood"] == "Kazakhstan");
  CHECK(j["total_exact"] == true);
  CHECK(j["total"].get<int>() == static_cast<int>(j["hits"].size()));
  CHECK(j.contains("suggestion"));
  json seed;
  for (const auto& h : j["hits"])
    if (h["id"] == "china-central-asia-c5-summit-2023") seed = h;
  REQUIRE(seed.is_object());
  CHECK(seed["type"] == "article");
  CHECK(seed["lang"] == "ru");
  CHECK(seed["languages"] == json({"en", "ru", "tr", "zh"}));
  CHECK(seed["published"] == "2023-05");
  CHECK(seed["authors"][0]["name"] == "Doğacan Başaran");
  CHECK(seed["countries"]["mentioned"].size() >= 6);
  CHECK(seed["snippet"].get<std::string>().find("<mark>") != std::string::npos);
  for (const char* facet : {"country", "year", "author", "lang", "type"}) {
    INFO(facet);
    REQUIRE(j["facets"].contains(facet));
    const auto& first = j["facets"][facet][0];
    for (const char* key : {"value", "label", "count", "selected"}) CHECK(first.contains(key));
  }
}

TEST_CASE("defter search filters repeat, browse without a query, and reject bad values", "[cli][e2e][search]") {
  test::TempDir dir;
  auto data = sample_data(dir);
  auto ru = search_json(data, {"--country", "KZ", "--lang", "ru"});
  REQUIRE(ru["hits"].size() >= 2);
  for (const auto& h : ru["hits"]) CHECK(h["lang"] == "ru");
  auto two = search_json(data, {"--country", "KZ", "--country", "IR", "Kazakhstan"});
  CHECK(two["query"]["understood"] == "Kazakhstan");  // the query is not taken for a country
  auto authors = search_json(data, {"--type", "author"});
  CHECK(authors["total"] == 6);
  auto range = search_json(data, {"--from", "2023", "--to", "2024-06", "--sort", "oldest"});
  CHECK(range["hits"][0]["published"] == "2023-05");
  auto bad = test::defter(data, {"search", "--from", "2023-13"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("2023-13"));
  auto unknown = test::defter(data, {"search", "--country", "Atlantis"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("Atlantis"));
}

TEST_CASE("defter search reads well in a pipe: no colours, facets under the results", "[cli][e2e][search]") {
  test::TempDir dir;
  auto data = sample_data(dir);
  auto r = test::defter(data, {"search", "Kazakistan"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find('\033') == std::string::npos);
  CHECK(r.out.find("<mark>") == std::string::npos);
  CHECK_THAT(r.out, Catch::Contains("results for Kazakistan\n"));
  CHECK_THAT(r.out, Catch::Contains("Çin-Orta Asya İlişkilerinde"));  // the seed, in the Turkish that matched best
  CHECK_THAT(r.out, Catch::Contains("\ncountry "));
  CHECK_THAT(r.out, Catch::Contains("Kazakhstan (KZ)"));
  auto typo = test::defter(data, {"search", "Kazakhstn"});
  CHECK_THAT(typo.out, Catch::Contains("did you mean: kazakhstan"));
  auto suggest = test::defter(data, {"suggest", "Каз"});
  CHECK_THAT(suggest.out, Catch::Contains("country"));
  CHECK_THAT(suggest.out, Catch::Contains("(KZ)"));
  auto none = test::defter(dir.str("empty"), {"search", "x"});
  CHECK(none.exit_code != 0);
  CHECK_FALSE(none.err.empty());
}
