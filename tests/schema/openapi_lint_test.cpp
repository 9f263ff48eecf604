// The API document (schema/openapi.json) stands alone and is clean: every
// reference stays inside it, its record schemas are the bundle of
// schema/json, every operation has a tag, a summary and a description,
// Spectral (with schema/.spectral.yaml) reports nothing and a second
// validator (@readme/openapi-parser) accepts it; and both tools do find a
// broken document, so that their silence means something.
#include <catch2/catch.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "support.hpp"

using namespace defter;
using nlohmann::json;

namespace {

const auto kDir = test::source_dir();

test::RunResult spectral(const std::filesystem::path& document) {
  return test::run({(kDir / "tests" / "node" / "node_modules" / ".bin" / "spectral").string(),
                    "lint", "--ruleset", (kDir / "schema" / ".spectral.yaml").string(),
                    "--fail-severity", "warn", "--format", "text", document.string()});
}

test::RunResult second_validator(const std::filesystem::path& document) {
  return test::run({"/usr/bin/env", "node",
                    (kDir / "tests" / "node" / "openapi-validate.mjs").string(),
                    document.string()});
}

void each_ref(const json& j, const std::function<void(const std::string&)>& fn) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k == "$ref" && v.is_string()) fn(v.get<std::string>());
      each_ref(v, fn);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) each_ref(v, fn);
  }
}

}  // namespace

TEST_CASE("the API document stands alone, and Spectral and a second validator find nothing in it",
          "[schema][openapi]") {
  const auto path = kDir / "schema" / "openapi.json";
  const json doc = json::parse(test::read_file(path));

  SECTION("every reference points into the document, at something there") {
    int refs = 0;
    each_ref(doc, [&](const std::string& ref) {
      INFO(ref);
      ++refs;
      REQUIRE(ref.rfind("#/", 0) == 0);
      CHECK(doc.contains(json::json_pointer(ref.substr(1))));
    });
    CHECK(refs > 100);
    for (const char* name :
         {"ArticleRecord", "AuthorRecord", "TranslationRecord", "RecordId", "RecordFootnote"})
      CHECK(doc["components"]["schemas"].contains(name));
  }

  SECTION("its record schemas are the bundle of schema/json (schema/tools/openapi-bundle.mjs)") {
    auto check =
        test::run({"/usr/bin/env", "node",
                   (kDir / "schema" / "tools" / "openapi-bundle.mjs").string(), "--check"});
    INFO(check.err);
    CHECK(check.exit_code == 0);
  }

  SECTION(
      "servers are relative, and every operation has a defined tag, a summary and a description") {
    REQUIRE(doc["servers"].size() == 1);
    CHECK(doc["servers"][0]["url"] == "/");
    std::set<std::string> tags;
    for (const auto& t : doc["tags"]) tags.insert(t["name"].get<std::string>());
    CHECK(tags.size() >= 5);
    int operations = 0;
    for (const auto& [route, item] : doc["paths"].items())
      for (const auto& [method, op] : item.items()) {
        INFO(method << " " << route);
        ++operations;
        REQUIRE(op.contains("tags"));
        REQUIRE(!op["tags"].empty());
        for (const auto& t : op["tags"]) CHECK(tags.count(t.get<std::string>()));
        CHECK(!op.value("summary", "").empty());
        CHECK(!op.value("description", "").empty());
      }
    CHECK(operations >= 35);
  }

  SECTION("Spectral reports no error and no warning; the second validator accepts it") {
    auto lint = spectral(path);
    INFO(lint.out << lint.err);
    CHECK(lint.exit_code == 0);  // installed by tools/dev (tests/node)
    auto parsed = second_validator(path);
    INFO(parsed.out << parsed.err);
    CHECK(parsed.exit_code == 0);
    CHECK(json::parse(parsed.out)["valid"] == true);
  }

  SECTION("a broken document is found broken by both") {
    test::TempDir tmp;
    json broken = doc;
    broken["paths"]["/api/v1/stats"]["get"]["responses"]["200"]["content"]["application/json"]
          ["schema"] = {{"$ref", "#/components/schemas/NoSuchSchema"}};
    broken["paths"]["/healthz"]["get"].erase("tags");
    auto file = tmp.path() / "openapi.json";
    test::write_file(file, broken.dump(2));
    auto lint = spectral(file);
    INFO(lint.out << lint.err);
    CHECK(lint.exit_code != 0);
    CHECK(lint.out.find("invalid-ref") != std::string::npos);
    CHECK(lint.out.find("operation-tags") != std::string::npos);
    auto parsed = second_validator(file);
    INFO(parsed.out << parsed.err);
    CHECK(parsed.exit_code != 0);
  }
}
