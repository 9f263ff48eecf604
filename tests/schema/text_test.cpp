// JSON text from outside under limits, and text made safe for a terminal.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "defter/schema/json_text.hpp"
#include "defter/schema/text.hpp"

using namespace defter;

namespace {

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("parse_json: nesting at the limit and past it, the whole text, keys given twice", "[schema][limit]") {
  CHECK(schema::parse_json(nested(64)).ok());
  auto past = schema::parse_json(nested(65));
  REQUIRE(!past.ok());
  CHECK(past.status().code() == Code::kInvalidArgument);
  CHECK(past.status().message() == "JSON nested deeper than 64 levels");
  CHECK(!schema::parse_json(nested(1000000)).ok());  // refused before anything that deep is built
  schema::JsonParseOptions shallow;
  shallow.max_depth = 2;
  CHECK(schema::parse_json(R"({"a":[1]})", nullptr, shallow).ok());
  CHECK(!schema::parse_json(R"({"a":[[1]]})", nullptr, shallow).ok());

  std::string nul = R"({"a":1})";
  nul += '\0';
  nul += R"({"b":2})";
  auto with_nul = schema::parse_json(nul);
  REQUIRE(!with_nul.ok());
  CHECK(with_nul.status().message() == "a NUL byte at byte 8");
  CHECK(schema::parse_json(R"({"a":1} {"b":2})").status().message().rfind("invalid JSON at byte", 0) == 0);
  CHECK(schema::parse_json("{\"a\":\"\xff\"}").status().message().rfind("invalid UTF-8 at byte", 0) == 0);

  std::vector<std::string> twice;
  auto j = schema::parse_json(R"({"a":{"b":1,"b":2},"c":[{"d":1},{"d":2,"d":3}],"e":0,"e":1})", &twice);
  REQUIRE(j.ok());
  CHECK((*j)["a"]["b"] == 2);
  CHECK((*j)["c"][1]["d"] == 3);
  CHECK((*j)["e"] == 1);
  CHECK(twice == std::vector<std::string>{"a.b", "c[1].d", "e"});
  // What is not given twice is not reported.
  twice.clear();
  CHECK(schema::parse_json(R"({"a":{"b":1},"b":{"a":2},"c":[{"d":1},{"d":2}]})", &twice).ok());
  CHECK(twice.empty());
  // The same values as nlohmann's own parser.
  std::string doc = R"({"n":null,"t":true,"i":-3,"u":18446744073709551615,"f":1.5,"s":"Kazakhstan","a":[1,{"x":[]}]})";
  CHECK(schema::parse_json(doc).value() == nlohmann::json::parse(doc));
}

TEST_CASE("printable escapes every control character and keeps every script", "[schema]") {
  CHECK(schema::printable("Doğacan Başaran — Казахстан 中亚") == "Doğacan Başaran — Казахстан 中亚");
  CHECK(schema::printable("Evil\x1b]0;PWNED\x07\x1b[2J") == "Evil\\x1b]0;PWNED\\x07\\x1b[2J");
  CHECK(schema::printable("a\nb\tc\rd\x7f") == "a\\nb\\tc\\rd\\x7f");
  CHECK(schema::printable("\xc2\x9b" "31m") == "\\u009b31m");  // the one-character CSI
  CHECK(schema::printable("\xc2\xa0") == "\xc2\xa0");          // U+00A0 is text
  CHECK(schema::printable("bad \xff\xc3") == "bad \\xff\\xc3");
  CHECK(schema::printable("\xc0\xaf") == "\\xc0\\xaf");  // an overlong '/'
  CHECK(schema::printable("back\\slash") == "back\\\\slash");  // no escape can be forged
  CHECK(schema::valid_utf8("Kazakhstan Казахстан"));
  CHECK(!schema::valid_utf8("\xed\xa0\x80"));  // a surrogate
  CHECK(!schema::valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}
