// defter search and defter suggest on the real binary, over the sample archive.
#include <map>
#include <set>

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
  CHECK(std::count_if(seed["countries"].begin(), seed["countries"].end(), [](const auto& c) { return c["subject"] == false; }) >= 6);
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

TEST_CASE("cites: finds the seed imported with its footnotes as published, in plain text", "[cli][e2e][search][entities]") {
  test::TempDir dir;
  auto data = dir.str("data");
  auto imported = test::defter(data, {"import", (test::source_dir() / "tools/sample/10-authors.jsonl").string(),
                                      (test::source_dir() / "tests/data/seed-as-published.jsonl").string()});
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  // The record keeps each note's text and gains what the text shows.
  auto got = json::parse(test::defter(data, {"get", "seed-as-published"}).out);
  const auto& notes = got["translations"]["en"]["footnotes"];
  REQUIRE(notes.size() == 19);
  CHECK(notes[0]["text"] == "“Kazakhstan to host next China-Central Asia Summit in 2025”, AKI Press,, (Date of Accession: 20.05.2023).");
  CHECK(notes[0]["publisher"] == "AKI Press");
  CHECK(notes[0]["title"] == "Kazakhstan to host next China-Central Asia Summit in 2025");
  CHECK(notes[0]["accessed"] == "2023-05-20");
  CHECK(notes[3]["text"] == "Ibid.");
  CHECK(notes[3]["publisher"] == "Central Asia News");  // note 4 is note 3's source
  CHECK_FALSE(notes[1].contains("publisher"));            // ",,," names no publisher
  // Every publisher of the 19 notes finds it.
  for (const char* source : {"\"AKI Press\"", "CGTN", "\"Central Asia News\"", "ANKASAM", "\"Uz Daily\"", "\"Investment Monitor\"",
                             "Orient", "Aydınlık", "aydinlik", "\"China Daily\""}) {
    INFO(source);
    auto j = search_json(data, {std::string("cites:") + source});
    REQUIRE(j["hits"].size() == 1);
    CHECK(j["hits"][0]["id"] == "seed-as-published");
  }
  CHECK(search_json(data, {"cites:Reuters"})["hits"].empty());
  // Importing the same file again changes nothing: the parsed fields are the same.
  auto again = test::defter(data, {"import", (test::source_dir() / "tests/data/seed-as-published.jsonl").string()});
  CHECK_THAT(again.err + again.out, Catch::Contains("0 added, 0 replaced, 1 unchanged"));
}

TEST_CASE("names across scripts: authors and countries by transliteration, suggestions in the reader's language", "[cli][e2e][search][entities]") {
  test::TempDir dir;
  auto data = sample_data(dir);
  auto ids = [&](std::vector<std::string> args) {
    std::set<std::string> out;
    json r = search_json(data, std::move(args));
    for (const auto& h : r["hits"]) out.insert(h["type"].get<std::string>() + ":" + h["id"].get<std::string>());
    return out;
  };
  // Ирина Соколова, written in Cyrillic, by her name in Latin letters.
  CHECK(ids({"Sokolova"}).count("author:irina-sokolova"));
  CHECK(ids({"author:Sokolova"}).count("article:cpc-pipeline-kazakhstan-energy-security"));
  // Doğacan Başaran, by Basaran and by Башаран.
  for (const char* q : {"Başaran", "Basaran", "Башаран"}) {
    INFO(q);
    CHECK(ids({q}).count("author:dogacan-basaran"));
  }
  REQUIRE_FALSE(ids({"country:KZ"}).empty());
  CHECK(ids({"country:Kazahstan"}) == ids({"country:KZ"}));
  CHECK(ids({"country:Kazakistan"}) == ids({"country:KZ"}));
  // Suggestions name countries in the reader's language.
  auto en = test::defter(data, {"suggest", "Kaz"});
  CHECK_THAT(en.out, Catch::Contains("Kazakhstan  (KZ)"));
  CHECK_THAT(en.out, !Catch::Contains("Kazachst"));
  auto tr = test::defter(data, {"suggest", "Tür", "--ui-lang", "tr"});
  CHECK_THAT(tr.out, Catch::Contains("Türkiye  (TR)"));
  CHECK_THAT(tr.out, !Catch::Contains("Turchia"));
  auto ru = test::defter(data, {"suggest", "Kaz", "--ui-lang", "ru"});
  CHECK_THAT(ru.out, Catch::Contains("Казахстан  (KZ)"));
}

TEST_CASE("defter stats --countries shows per country the articles that name it", "[cli][e2e][entities]") {
  test::TempDir dir;
  auto data = sample_data(dir);
  auto r = test::defter(data, {"stats", "--countries", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = json::parse(r.out);
  std::map<std::string, json> by_code;
  for (const auto& c : j) by_code[c["code"]] = c;
  REQUIRE(by_code.count("KZ"));
  CHECK(by_code["KZ"]["name"] == "Kazakhstan");
  CHECK(by_code["KZ"]["articles"].get<int>() >= 2);
  CHECK(by_code["KZ"]["mentioned_in"].contains("tr"));
  // What the stemmed recogniser tagged on the Turkish and Russian texts is gone.
  for (const char* wrong : {"BT", "ML", "SD", "SI", "TG"}) CHECK_FALSE(by_code.count(wrong));
  auto text = test::defter(data, {"stats", "--countries"});
  CHECK_THAT(text.out, Catch::Contains("Kazakhstan"));
}

TEST_CASE("not_countries takes a country out of an article's facet and country:", "[cli][e2e][entities]") {
  test::TempDir dir;
  auto data = sample_data(dir);
  const std::string id = "orta-koridor-turkiye-azerbaycan-gurcistan";  // its text names Ukraine
  auto has = [&](const json& r) {
    for (const auto& h : r["hits"])
      if (h["id"] == id) return true;
    return false;
  };
  REQUIRE(has(search_json(data, {"country:UA"})));
  auto record = json::parse(test::defter(data, {"get", id}).out);
  record["not_countries"] = {"UA"};
  auto line = dir.path() / "fix.jsonl";
  test::write_file(line, record.dump() + "\n");
  auto fixed = test::defter(data, {"import", line.string()});
  INFO(fixed.err);
  REQUIRE(fixed.exit_code == 0);
  CHECK_FALSE(has(search_json(data, {"country:UA"})));
  CHECK(has(search_json(data, {"country:AZ"})));  // the others stay
  auto facets = search_json(data, {"Orta Koridor"});
  for (const auto& f : facets["facets"]["country"]) CHECK(f["value"] != "UA");
  // A country cannot be a subject and not count: refused, naming the field.
  record["countries"].push_back("UA");
  test::write_file(line, record.dump() + "\n");
  auto both = test::defter(data, {"import", line.string()});
  CHECK(both.exit_code == 1);
  CHECK_THAT(both.err, Catch::Contains("not_countries[0]"));
  CHECK_THAT(both.err, Catch::Contains("cannot be both"));
}
