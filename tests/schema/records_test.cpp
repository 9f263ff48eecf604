// Record types: the examples in schema/examples pass validation and survive
// JSON -> struct -> JSON unchanged (the export format is canonical).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "defter/schema/codes.hpp"
#include "defter/schema/records.hpp"
#include "defter/schema/validate.hpp"
#include "support.hpp"

using namespace defter;
using nlohmann::json;

namespace {
json example(const std::string& name) {
  return json::parse(test::read_file(test::source_dir() / "schema" / "examples" / name));
}
}  // namespace

TEST_CASE("the seed examples validate without errors or warnings", "[schema]") {
  schema::RecordValidator validator;
  for (const char* name : {"seed-author.json", "seed-article.json", "seed-translation-tr.json",
                           "seed-translation-ru.json"}) {
    INFO(name);
    auto result = validator.check(example(name));
    CHECK(result.errors.empty());
    CHECK(result.warnings.empty());
    CHECK(result.record.has_value());
  }
}

TEST_CASE("records convert to JSON and back without change", "[schema]") {
  schema::RecordValidator validator;
  for (const char* name : {"seed-author.json", "seed-article.json", "seed-translation-tr.json"}) {
    INFO(name);
    json original = example(name);
    auto result = validator.check(original);
    REQUIRE(result.record);
    json back;
    schema::to_json(back, *result.record);
    CHECK(back == original);
    CHECK(schema::to_json_line(*result.record) == original.dump());
  }
}

TEST_CASE("the seed article keeps its structured footnotes", "[schema]") {
  auto article = example("seed-article.json").get<schema::Article>();
  const auto& en = article.translations.at("en");
  REQUIRE(en.footnotes.size() == 19);
  CHECK(en.footnotes[0].publisher == "AKI Press");
  CHECK(en.footnotes[0].accessed == "2023-05-20");
  CHECK(en.footnotes[3].text == "Ibid.");
  CHECK(en.footnotes[3].publisher == "Central Asia News");  // Ibid.: the previous note's source, as import reads it
  CHECK(en.footnotes[10].publisher == "Orient");
}

TEST_CASE("calendar dates, partial dates included", "[schema]") {
  CHECK(schema::is_real_date("2023"));
  CHECK(schema::is_real_date("2023-05"));
  CHECK(schema::is_real_date("2023-05-31"));
  CHECK(schema::is_real_date("2024-02-29"));
  CHECK(schema::is_real_date("2000-02-29"));
  CHECK_FALSE(schema::is_real_date("1900-02-29"));
  CHECK_FALSE(schema::is_real_date("2023-02-29"));
  CHECK_FALSE(schema::is_real_date("2023-04-31"));
  CHECK_FALSE(schema::is_real_date("2023-13"));
  CHECK_FALSE(schema::is_real_date("2023-00-10"));
  CHECK_FALSE(schema::is_real_date("2023-01-00"));
  CHECK_FALSE(schema::is_real_date("23-01-01"));
}

TEST_CASE("language tags and codes come from iso-codes", "[schema]") {
  for (const char* tag : {"en", "tr", "ru", "zh", "kk", "ky", "uz", "tg", "tk", "zh-Hans", "zh-CN", "pt-BR",
                          "sr-Latn", "sr-Latn-RS", "es-419", "fil", "ast"})
    CHECK(schema::is_known_language_tag(tag));
  for (const char* tag : {"xx", "qq", "en-XX", "zh-Hanx", "en-Latn-QQ", "e"}) CHECK_FALSE(schema::is_known_language_tag(tag));
  CHECK(schema::is_country_code("KZ"));
  CHECK(schema::is_country_code("TR"));
  CHECK_FALSE(schema::is_country_code("XX"));
  CHECK_FALSE(schema::is_country_code("kz"));
  CHECK(schema::country_name("KZ") == "Kazakhstan");
}
