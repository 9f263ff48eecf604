// The API as a service meets it: a record's every problem at once, a body's
// syntax error by line and column, the method judged before the body, a
// score in every order, one quoting style; every answer checked against the
// OpenAPI document.
#include "served.hpp"

using v = http::verb;

TEST_CASE("a PUT that fails validation names every problem, and a body that is not JSON where it breaks", "[httpd][e2e][usability]") {
  Served s;
  std::string w = httpd::create_token(*s.archive, "ingest", httpd::Scope::kWrite).value();
  Reply r = call(s, v::put, "/api/v1/authors/x1", w, R"({"name": 5, "bio": {"TR": "x"}, "affiliation": 3})");
  REQUIRE(r.result() == http::status::bad_request);
  auto p = problem_of(r);
  REQUIRE(p["errors"].size() == 3);
  std::set<std::string> fields;
  for (const auto& e : p["errors"]) fields.insert(e["field"].get<std::string>());
  CHECK(fields == std::set<std::string>{"name", "bio.TR", "affiliation"});
  for (const auto& e : p["errors"]) CHECK_THAT(p["detail"].get<std::string>(), Catch::Contains(e["reason"].get<std::string>()));
  CHECK_THAT(p["detail"].get<std::string>(), Catch::Contains("did you mean 'tr'?"));

  // An article with a bad date and two bad codes: all three.
  r = call(s, v::put, "/api/v1/articles/a1", w,
           R"({"published": "2024-13", "original_language": "EN", "countries": ["Kazakhstan"], "translations": {"en": {"title": "T", "body": "B"}}})");
  REQUIRE(r.result() == http::status::bad_request);
  p = problem_of(r);
  CHECK(p["errors"].size() == 3);

  // Pretty-printed and broken on its third line.
  r = call(s, v::put, "/api/v1/authors/x1", w, "{\n  \"name\": \"X\",\n  \"bio\": }\n");
  REQUIRE(r.result() == http::status::bad_request);
  p = problem_of(r);
  CHECK_THAT(p["detail"].get<std::string>(), Catch::StartsWith("the body: invalid JSON at line 3, column 10 (byte 27)"));
  REQUIRE(p["errors"].size() == 1);
  CHECK(p["errors"][0]["line"] == 3);
  CHECK(p["errors"][0]["column"] == 10);
  CHECK(s.get("/api/v1/authors/x1", {}, false).result() == http::status::not_found);  // nothing written
}

TEST_CASE("a wrong method is 405 whatever its body, before any 411", "[httpd][e2e][usability]") {
  Served s;
  for (const char* target : {"/api/v1/search", "/api/v1/suggest?q=ka", "/api/v1/fields", "/api/v1/stats"}) {
    Client c(s.server->port());
    http::request<http::string_body> post{v::post, target, 11};  // no body, no Content-Length
    Reply r = c.send(std::move(post));
    INFO(target);
    CHECK(r.result() == http::status::method_not_allowed);
    CHECK(r[http::field::allow] == "GET, HEAD");
  }
  // Where POST is the method, a body without a length is still 411.
  Client c(s.server->port());
  http::request<http::string_body> post{v::post, "/api/v1/import", 11};
  CHECK(c.send(std::move(post)).result() == http::status::length_required);
}

TEST_CASE("every hit that matches the words has its relevance score, whatever the order", "[httpd][e2e][usability]") {
  Served s;
  std::map<std::string, double> by_relevance;
  for (const char* sort : {"relevance", "newest", "oldest"}) {
    // "kazakhstan" finds the Russian pipeline article only as the country
    // it names (Казахстан): a match too, with a score.
    auto j = s.get_json(std::string("/api/v1/search?q=kazakhstan&size=20&sort=") + sort);
    REQUIRE(j["hits"].size() >= 5);
    for (const auto& h : j["hits"]) {
      INFO(sort << " " << h["id"]);
      CHECK(h["score"].get<double>() > 0);
      std::string key = h["id"].get<std::string>() + "/" + h["lang"].get<std::string>();
      if (std::string(sort) == "relevance") by_relevance[key] = h["score"];
      else if (by_relevance.count(key)) CHECK(h["score"].get<double>() == Approx(by_relevance[key]));
    }
  }
  // Nothing to weigh: no words, no score.
  auto filtered = s.get_json("/api/v1/search?country=KZ&sort=newest");
  REQUIRE(!filtered["hits"].empty());
  for (const auto& h : filtered["hits"]) CHECK(h["score"] == 0.0);
}

TEST_CASE("details quote what the client sent one way: in single quotes", "[httpd][e2e][usability]") {
  Served s;
  std::string w = httpd::create_token(*s.archive, "ingest", httpd::Scope::kWrite).value();
  std::vector<Reply> replies;
  replies.push_back(s.get("/api/v1/articles/no-such-article"));
  replies.push_back(s.get("/api/v1/authors/nobody"));
  replies.push_back(s.get("/api/v1/articles/china-central-asia-c5-summit-2023?lang=de"));
  replies.push_back(s.get("/api/v1/search?contry=KZ"));
  replies.push_back(s.get("/api/v1/search?size=0"));
  replies.push_back(s.get("/api/v1/search?country=Atlantis"));
  replies.push_back(s.get("/api/v1/search?author=nobody"));
  replies.push_back(s.get("/api/v1/search?facets=colour"));
  replies.push_back(s.get("/api/v1/search?from=soon"));
  replies.push_back(call(s, v::put, "/api/v1/authors/anna", w, R"({"id": "someone-else", "name": "X"})"));
  replies.push_back(call(s, v::put, "/api/v1/articles/no-author", w, R"({"authors": ["nobody-here"], "original_language": "en"})"));
  replies.push_back(call(s, v::delete_, "/api/v1/authors/nobody", w));
  for (const auto& r : replies) {
    auto detail = problem_of(r)["detail"].get<std::string>();
    INFO(detail);
    CHECK(detail.find('"') == std::string::npos);
    CHECK(detail.find('\'') != std::string::npos);
  }
}
