// Validation: every kind of bad record is rejected with the field at fault
// and a reason a person can act on.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "defter/schema/validate.hpp"

using namespace defter;
using nlohmann::json;

namespace {

const char* kArticle =
    R"({"type":"article","id":"a1","published":"2023-05-20","authors":["au"],"original_language":"en",)"
    R"("countries":["KZ"],"translations":{"en":{"title":"T","body":"B","footnotes":[{"n":1,"text":"x","accessed":"2023-05-20"}]}}})";

// The article above with one change applied at a JSON pointer.
std::string with(const std::string& pointer, const json& value) {
  json j = json::parse(kArticle);
  j[json::json_pointer(pointer)] = value;
  return j.dump();
}

bool has_error(const schema::LineResult& r, const std::string& field, const std::string& reason_part) {
  for (const auto& e : r.errors)
    if (e.field == field && e.reason.find(reason_part) != std::string::npos) return true;
  return false;
}

std::string describe(const schema::LineResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += "[" + e.field + "] " + e.reason + "\n";
  return out;
}

}  // namespace

TEST_CASE("a valid article passes", "[schema]") {
  schema::RecordValidator v;
  auto r = v.parse_line(kArticle);
  INFO(describe(r));
  CHECK(r.errors.empty());
  REQUIRE(r.record);
  CHECK(std::get<schema::Article>(*r.record).translations.at("en").title == "T");
}

TEST_CASE("bad records name the field and the reason", "[schema]") {
  struct Case {
    std::string line, field, reason;
  };
  std::vector<Case> cases = {
      {with("/published", "2023-13-40"), "published", "calendar date"},
      {with("/published", "2023-02-30"), "published", "'2023-02-30' is not a calendar date"},
      {with("/published", 2023), "published", "expected string, got an integer"},
      {with("/published", "20.05.2023"), "published", "'20.05.2023' is not valid here"},
      {with("/authors", "au"), "authors", "expected array"},
      {with("/authors", json::array({"au", "au"})), "authors", "listed twice"},
      {with("/original_language", "xx"), "original_language", "'xx' is not a known language tag"},
      {with("/original_language", "EN"), "original_language", "BCP 47"},
      {with("/countries/0", "XX"), "countries[0]", "'XX' is not an ISO 3166-1 alpha-2 country code"},
      {with("/countries/0", "kz"), "countries[0]", "upper case"},
      {with("/id", "Has Spaces"), "id", "stable slug"},
      {with("/id", ""), "id", "stable slug"},
      {with("/translations/en/title", ""), "translations.en.title", "must not be empty"},
      {with("/translations/en/footnotes/0/n", 0), "translations.en.footnotes[0].n", "at least 1"},
      {with("/translations/en/footnotes/0/accessed", "2023-02-29"), "translations.en.footnotes[0].accessed",
       "not a calendar date"},
      {with("/translations/en/footnotes/0/url", "ftp://x"), "translations.en.footnotes[0].url", "not valid"},
      {with("/translations/xx", json::parse(R"({"title":"T","body":"B"})")), "translations.xx",
       "not a known language tag"},
      {with("/translations/English", json::parse(R"({"title":"T","body":"B"})")), "translations.English",
       "not valid as a key"},
      {with("/type", "essay"), "type", "'essay' is not one of: author, article, translation"},
      {R"({"type":"article","id":"a1"})", "original_language", "required field is missing"},
      {R"({"type":"author","id":"x"})", "name", "required field is missing"},
      {R"({"type":"author","id":"x","name":"N","bio":{"tr":""}})", "bio.tr", "must not be empty"},
      {R"({"type":"translation","article":"a1","lang":"tr","title":"T"})", "body", "required field is missing"},
      {R"({"id":"x"})", "type", "required field is missing"},
      {R"(["not","an","object"])", "", "must be a JSON object"},
      {R"({"type":"author","id":"x","name":"N")", "", "invalid JSON"},
      {"{\"type\":\"author\",\"id\":\"x\",\"name\":\"\xff\"}", "", "invalid UTF-8"},
  };
  schema::RecordValidator v;
  for (const auto& c : cases) {
    INFO(c.line);
    auto r = v.parse_line(c.line);
    INFO(describe(r));
    CHECK_FALSE(r.record.has_value());
    CHECK(has_error(r, c.field, c.reason));
  }
}

TEST_CASE("unknown fields are warnings, and the record is kept without them", "[schema]") {
  schema::RecordValidator v;
  auto r = v.parse_line(with("/colour", "red"));
  REQUIRE(r.record);
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].field == "colour");
  auto nested = v.parse_line(with("/translations/en/footnotes/0/isbn", "123"));
  REQUIRE(nested.record);
  REQUIRE(nested.warnings.size() == 1);
  CHECK(nested.warnings[0].field == "translations.en.footnotes[0].isbn");
}

TEST_CASE("a record names itself in messages even when invalid", "[schema]") {
  schema::RecordValidator v;
  auto r = v.parse_line(R"({"type":"translation","article":"a1","lang":"tr","title":5,"body":"b"})");
  CHECK(r.type == "translation");
  CHECK(r.id == "a1/tr");
}
