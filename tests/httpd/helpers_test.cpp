// The small helpers the handlers stand on, one by one: percent-decoding,
// request targets, parameters, ETags, token scopes.
#include <catch2/catch.hpp>

#include "api_support.hpp"
#include "defter/httpd/tokens.hpp"
#include "support.hpp"

using namespace defter;
using namespace defter::httpd;
using namespace defter::httpd::detail;

TEST_CASE("percent-decoding: + in a query only, bad escapes and non-UTF-8 refused", "[httpd][helpers]") {
  CHECK(decode("a%20b+c", true) == "a b c");
  CHECK(decode("a%20b+c", false) == "a b+c");
  CHECK(decode("%D0%9A%D0%B0%D0%B7", true) == "Каз");
  CHECK(decode("%e2%82%ac", true) == "€");  // lower-case hex
  CHECK(decode("", true) == "");
  for (const char* bad : {"%", "%2", "%zz", "%2g", "abc%", "%FF", "%C3", "%C0%AF"}) {
    INFO(bad);
    CHECK_FALSE(decode(bad, true));
  }
}

TEST_CASE("a request target: its path segments and parameters, and what is refused", "[httpd][helpers]") {
  Target t = parse_target("/api/v1/articles/a%20b?lang=tr&q=x+y&q=z&flag&=v");
  CHECK(t.segments == std::vector<std::string>{"api", "v1", "articles", "a b"});
  CHECK(t.params.count("q") == 2);
  CHECK(t.params.find("lang")->second == "tr");
  CHECK(t.params.find("flag")->second == "");
  CHECK(t.params.find("")->second == "v");
  CHECK(parse_target("/").segments.empty());
  CHECK(parse_target("/api/v1/search/").segments == std::vector<std::string>{"api", "v1", "search"});
  CHECK(parse_target("/api//v1").segments == std::vector<std::string>{"api", "", "v1"});
  for (const char* bad : {"api/v1", "", "http://host/x", "/a/../b", "/a/./b", "/a/%2e%2e/b", "/a%2Fb", "/a%00b", "/a%zz",
                          "/a?x=%ff", "/a?%zz=1"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_target(bad), BadRequest);
  }
}

TEST_CASE("parameters: only the accepted, once where once, numbers in range, flags, lists", "[httpd][helpers]") {
  Params p = {{"size", "10"}, {"q", "a"}, {"q", "b"}, {"highlight", "false"}, {"country", "KZ,UZ"}, {"country", "TR"}};
  CHECK_THROWS_AS(Query(p, {"size", "q"}), BadRequest);  // highlight and country not accepted
  Query q(p, {"size", "q", "highlight", "country", "page"});
  CHECK(q.number("size", 5, 1, 100) == 10);
  CHECK(q.number("page", 1, 1, 100) == 1);  // absent: the fallback
  CHECK_THROWS_AS(q.number("size", 5, 1, 9), BadRequest);
  CHECK_THROWS_AS(q.one("q"), BadRequest);  // given twice
  CHECK(q.all("q") == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(q.flag("highlight", true));
  CHECK(listed(q, "country") == std::vector<std::string>{"KZ", "UZ", "TR"});
  Params odd = {{"size", "1x"}, {"highlight", "yes"}, {"list", ",,a,,"}};
  Query o(odd, {"size", "highlight", "list"});
  CHECK_THROWS_AS(o.number("size", 5, 1, 100), BadRequest);
  CHECK_THROWS_AS(o.flag("highlight", true), BadRequest);
  CHECK(listed(o, "list") == std::vector<std::string>{"a"});
}

TEST_CASE("ETags: strong, of the body, and If-None-Match lists and weak forms matched", "[httpd][helpers]") {
  std::string tag = etag_of("body");
  CHECK(tag.size() == 18);
  CHECK(tag.front() == '"');
  CHECK(tag.back() == '"');
  CHECK(tag == etag_of("body"));
  CHECK(tag != etag_of("body!"));
  CHECK(etag_matches(tag, tag));
  CHECK(etag_matches("\"other\", " + tag, tag));
  CHECK(etag_matches(" " + tag + " ,\"x\"", tag));
  CHECK(etag_matches("W/" + tag, tag));  // If-None-Match compares weakly
  CHECK(etag_matches("*", tag));
  CHECK_FALSE(etag_matches("\"other\"", tag));
  CHECK_FALSE(etag_matches("", tag));
}

TEST_CASE("a token's scope: by its secret only, each scope by name", "[httpd][helpers]") {
  test::TempDir dir;
  archive::Options o;
  o.dir = dir.path() / "archive";
  auto a = archive::Archive::open(o);
  REQUIRE(a.ok());
  auto reader = create_token(**a, "reader", Scope::kRead);
  auto writer = create_token(**a, "writer", Scope::kWrite);
  REQUIRE(reader.ok());
  REQUIRE(writer.ok());
  auto tokens = (*a)->snapshot().value().tokens();
  CHECK(token_scope(tokens, *reader) == Scope::kRead);
  CHECK(token_scope(tokens, *writer) == Scope::kWrite);
  CHECK_FALSE(token_scope(tokens, ""));
  CHECK_FALSE(token_scope(tokens, reader->substr(0, reader->size() - 1)));
  CHECK_FALSE(token_scope(tokens, *reader + "0"));
  for (Scope s : {Scope::kRead, Scope::kWrite, Scope::kAdmin}) CHECK(parse_scope(scope_name(s)) == s);
  CHECK_FALSE(parse_scope("root"));
}
