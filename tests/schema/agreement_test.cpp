// The JSON Schemas are the single source of truth: the validator defter uses
// (valijson, draft 7 reading of the files) and an independent draft 2020-12
// validator (ajv, from npm) must reach the same verdict on every case.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "defter/schema/validate.hpp"
#include "support.hpp"

using namespace defter;
using nlohmann::json;

TEST_CASE("valijson and ajv agree on every schema case", "[schema]") {
  auto dir = test::source_dir();
  json cases = json::parse(test::read_file(dir / "tests" / "schema" / "cases.json"));
  // The hand-converted seed records are cases too.
  for (const char* name : {"seed-author.json", "seed-article.json", "seed-translation-tr.json",
                           "seed-translation-ru.json"})
    cases.push_back({{"name", name}, {"expect", "valid"},
                     {"record", json::parse(test::read_file(dir / "schema" / "examples" / name))}});
  REQUIRE(cases.size() >= 30);

  json records = json::array();
  for (auto& c : cases) records.push_back(c["record"]);
  test::RunOptions options;
  options.stdin_text = records.dump();
  auto ajv = test::run({"/usr/bin/env", "node", (dir / "tests" / "node" / "ajv-check.mjs").string(),
                        (dir / "schema" / "json").string()},
                       options);
  INFO(ajv.err);
  REQUIRE(ajv.exit_code == 0);  // node and ajv are installed by tools/dev
  json verdicts = json::parse(ajv.out);
  REQUIRE(verdicts.size() == cases.size());

  schema::RecordValidator validator;
  int valid = 0, invalid = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    INFO(c["name"].get<std::string>() << ": " << c["record"].dump().substr(0, 300));
    INFO("ajv: " << verdicts[i]["errors"].dump());
    bool valijson_ok = validator.check_schema(c["record"]).empty();
    bool ajv_ok = verdicts[i]["valid"].get<bool>();
    CHECK(valijson_ok == ajv_ok);
    // And the full check (schema plus calendar and code lists) says what the case expects.
    std::string expect = c["expect"];
    CHECK(ajv_ok == (expect != "invalid-schema"));
    CHECK(validator.check(c["record"]).record.has_value() == (expect == "valid"));
    (ajv_ok ? valid : invalid)++;
  }
  CHECK(valid >= 8);
  CHECK(invalid >= 15);
}
