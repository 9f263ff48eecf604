// JSON text from outside under limits, and text made safe for a terminal.
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "defter/schema/codes.hpp"
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

TEST_CASE("replaced_all: every occurrence, left to right, none searched twice", "[schema]") {
  const std::string nbsp = "\xC2\xA0";
  CHECK(schema::replaced_all("a" + nbsp + "b" + nbsp, nbsp, " ") == "a b ");
  CHECK(schema::replaced_all("aaaa", "aa", "a") == "aa");  // a replacement is not searched again
  CHECK(schema::replaced_all("aaa", "aa", "b") == "ba");
  CHECK(schema::replaced_all("abc", "abc", "") == "");
  CHECK(schema::replaced_all("abc", "x", "y") == "abc");
  CHECK(schema::replaced_all("", "a", "b") == "");
  CHECK(schema::replaced_all("abc", "", "y") == "abc");  // nothing to look for: the text as it is
  CHECK(schema::replaced_all("，新华社，", "，", ",") == ",新华社,");
  // Many of them (a page of no-break spaces): each one replaced.
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "x" + nbsp;
  std::string out = schema::replaced_all(many, nbsp, " ");
  CHECK(out.size() == 200000);
  CHECK(out.find(nbsp) == std::string::npos);
  CHECK(out.substr(0, 6) == "x x x ");
}

TEST_CASE("a JSON error's place, as a byte or as a line and a column", "[schema][json]") {
  const std::string body = "{\"name\": \"x\",\n \"bio\": }";
  CHECK(schema::parse_json(body).status().message().rfind("invalid JSON at byte 23: ", 0) == 0);
  std::size_t byte = 0;
  schema::JsonParseOptions lines;
  lines.lines = true;
  lines.error_byte = &byte;
  CHECK(schema::parse_json(body, nullptr, lines).status().message().rfind("invalid JSON at line 2, column 9 (byte 23): ", 0) == 0);
  CHECK(byte == 23);
  auto at = schema::position_of(body, byte);
  CHECK(at.line == 2);
  CHECK(at.column == 9);
  // The edges: the first byte, a byte just after a line break, past the end.
  CHECK(schema::position_of(body, 1).line == 1);
  CHECK(schema::position_of(body, 1).column == 1);
  CHECK(schema::position_of(body, 15).line == 2);
  CHECK(schema::position_of(body, 15).column == 1);
  CHECK(schema::position_of(body, 1000).line == 2);
  // Valid JSON leaves error_byte alone.
  byte = 7;
  CHECK(schema::parse_json("[1, 2]", nullptr, lines).ok());
  CHECK(byte == 7);
}

TEST_CASE("did you mean: the nearest ids and codes, and nothing for what is near nothing", "[schema]") {
  std::vector<std::string> ids = {"aliya-seitkali", "irina-sokolova", "dogacan-basaran", "wang-li"};
  CHECK(schema::nearest("irina-sokolov", ids) == std::vector<std::string>{"irina-sokolova"});
  CHECK(schema::nearest("Aliya-Seitkali", ids) == std::vector<std::string>{"aliya-seitkali"});  // case is no distance
  CHECK(schema::nearest("basaran", ids) == std::vector<std::string>{"dogacan-basaran"});        // held whole
  CHECK(schema::nearest("zzzzzzzzzzzz", ids).empty());
  CHECK(schema::nearest("wang-li", ids).empty());  // the id itself is not a suggestion
  CHECK(schema::nearest("x", {"y", "z", "w", "v"}, 2).size() == 2);
  CHECK(schema::one_of({"a"}) == "'a'");
  CHECK(schema::one_of({"a", "b", "c"}) == "'a', 'b' or 'c'");

  CHECK(schema::suggest_country_code("kz") == "KZ");
  CHECK(schema::suggest_country_code("Kazakhstan") == "KZ");
  CHECK(schema::suggest_country_code("russia") == "RU");  // the one name it begins
  CHECK(schema::suggest_country_code("Atlantis").empty());
  CHECK(schema::suggest_country_code("KZ").empty());  // right already: nothing to suggest
  CHECK(schema::suggest_country_code("Ko").empty());  // too short to stand for a name
  CHECK(schema::suggest_language_tag("TR") == "tr");
  CHECK(schema::suggest_language_tag("zh-hans") == "zh-Hans");
  CHECK(schema::suggest_language_tag("pt_br") == "pt-BR");
  CHECK(schema::suggest_language_tag("Turkish") == "tr");
  CHECK(schema::suggest_language_tag("Klingonese").empty());
  CHECK(schema::suggest_language_tag("en").empty());
}

TEST_CASE("JSON strings and numbers are written as nlohmann::json dumps them", "[schema]") {
  auto dumped = [](const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); };
  std::vector<std::string> texts = {"", "plain", "Doğacan Başaran — Казахстан 中亚 𝄞", "quote \" and \\ backslash",
                                    "<mark>a</mark> & 'b' / c", "tab\tnew\nline\rfeed\fback\b", "del \x7f"};
  std::string every_ascii;
  for (int c = 0; c < 0x80; ++c) every_ascii += static_cast<char>(c);
  texts.push_back(every_ascii);
  // Not UTF-8: a stray continuation byte, a cut sequence, an overlong form,
  // a surrogate, past U+10FFFF, a lone lead byte at the end.
  std::vector<std::string> broken = {"a\x80" "b", "\xe4\xb8", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "end\xc3"};
  for (const auto& t : texts) {
    std::string out;
    schema::append_json_string(out, t);
    CHECK(out == dumped(t));
    std::string utf8;
    schema::append_json_string_utf8(utf8, t);
    CHECK(utf8 == out);
  }
  for (const auto& t : broken) {
    std::string out;
    schema::append_json_string(out, t);
    CHECK(out == dumped(t));
    CHECK(out.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD
    CHECK(nlohmann::json::parse(out).is_string());
  }
  for (double d : {0.0, -0.0, 1.0, 0.1, 2.5e-7, 1e300, 123456.789, std::nan(""), HUGE_VAL}) {
    std::string out;
    schema::append_json_number(out, d);
    CHECK(out == nlohmann::json(d).dump());
  }
  std::string after;
  schema::append_json_string(after, "x");
  schema::append_json_number(after, 1.5);
  CHECK(after == "\"x\"1.5");  // appended, nothing else
}
