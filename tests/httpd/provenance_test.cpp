// Provenance over HTTP: API writes recorded with their token's name, the
// history and versions of records, the runs, a run's revert with an admin
// token; every answer checked against the OpenAPI document.
#include "served.hpp"

using v = http::verb;

TEST_CASE("API writes are revisions naming their token, and a record's history and versions are served", "[httpd][e2e][provenance]") {
  Served s;
  std::string w = httpd::create_token(*s.archive, "ingest-bot", httpd::Scope::kWrite).value();
  Reply r = call(s, v::put, "/api/v1/authors/zeynep-testci", w, R"({"name": "Zeynep Testçi", "bio": {"tr": "Kuokka uzmanı."}})");
  REQUIRE(r.result() == http::status::created);
  r = call(s, v::put, "/api/v1/authors/zeynep-testci", w, R"({"name": "Zeynep Testçi-Yılmaz", "bio": {"tr": "Kuokka uzmanı."}})");
  REQUIRE(r.result() == http::status::ok);
  r = call(s, v::put, "/api/v1/articles/quokkas", w,
           R"({"published": "2024-03", "authors": ["zeynep-testci"], "original_language": "en",
               "translations": {"en": {"title": "Quokkas", "body": "Along the Zeravshan."}}})");
  REQUIRE(r.result() == http::status::created);
  r = call(s, v::put, "/api/v1/articles/quokkas/translations/tr", w, R"({"title": "Kuokkalar", "body": "Zerefşan boyunca."})");
  REQUIRE(r.result() == http::status::created);

  auto h = nlohmann::json::parse(call(s, v::get, "/api/v1/authors/zeynep-testci/history", "").body());
  REQUIRE(h["revisions"].size() == 2);
  CHECK(h["exists"] == true);
  CHECK(h["revisions"][0]["who"] == "ingest-bot");
  CHECK(h["revisions"][0]["how"] == "api");
  CHECK(h["revisions"][0]["source"] == "PUT /api/v1/authors/zeynep-testci");
  CHECK(h["revisions"][0]["run"].is_null());
  CHECK(h["revisions"][0]["fields"][0]["field"] == "name");
  CHECK(h["revisions"][0]["fields"][0]["before"] == "Zeynep Testçi");
  CHECK(h["revisions"][1]["change"] == "added");

  auto ah = nlohmann::json::parse(call(s, v::get, "/api/v1/articles/quokkas/history?lang=tr", "").body());
  REQUIRE(ah["revisions"].size() == 1);  // only the revision that changed the Turkish translation
  CHECK(ah["revisions"][0]["source"] == "PUT /api/v1/articles/quokkas/translations/tr");

  // The article's page data says when and by whom it last changed.
  auto view = s.get_json("/api/v1/articles/quokkas/view");
  CHECK(view["last_change"]["who"] == "ingest-bot");
  CHECK(view["last_change"]["revision"] == 2);
  // The staff page's history address is the page.
  CHECK(s.get("/articles/quokkas/history", {}, false).result() == http::status::ok);

  // Deleted: the history stays, and the last version can be read.
  REQUIRE(call(s, v::delete_, "/api/v1/articles/quokkas", w).result() == http::status::no_content);
  h = nlohmann::json::parse(call(s, v::get, "/api/v1/articles/quokkas/history", "").body());
  CHECK(h["exists"] == false);
  CHECK(h["revisions"][0]["change"] == "deleted");
  CHECK(h["revisions"][0]["how"] == "delete");
  CHECK(h["revisions"][0]["who"] == "ingest-bot");
  auto old = nlohmann::json::parse(call(s, v::get, "/api/v1/articles/quokkas/revisions/2", "").body());
  CHECK(old["record"]["translations"]["tr"]["title"] == "Kuokkalar");
  CHECK(call(s, v::get, "/api/v1/articles/quokkas/revisions/3", "").result() == http::status::not_found);  // deleted then
  CHECK(call(s, v::get, "/api/v1/articles/quokkas/revisions/9", "").result() == http::status::not_found);
  CHECK(call(s, v::get, "/api/v1/articles/quokkas/revisions/x", "").result() == http::status::bad_request);
  CHECK(call(s, v::get, "/api/v1/articles/never-was/history", "").result() == http::status::not_found);

  // The access log names the token of each write (never its secret).
  std::string log = s.log.str();
  CHECK_THAT(log, Catch::Contains("token=ingest-bot"));
  CHECK(log.find(w) == std::string::npos);
}

TEST_CASE("an API import is a run, which an admin token reverts once", "[httpd][e2e][provenance]") {
  Served s;
  std::string w = httpd::create_token(*s.archive, "ingest-bot", httpd::Scope::kWrite).value();
  std::string admin = httpd::create_token(*s.archive, "archivist", httpd::Scope::kAdmin).value();
  auto before = s.get_json("/api/v1/authors/dogacan-basaran");
  Reply r = call(s, v::post, "/api/v1/import", w,
                 "{\"type\":\"author\",\"id\":\"bulk-one\",\"name\":\"Bulk One\"}\n"
                 "{\"type\":\"author\",\"id\":\"dogacan-basaran\",\"name\":\"Renamed\",\"bio\":{}}\n");
  REQUIRE(r.result() == http::status::ok);
  auto report = nlohmann::json::parse(r.body());
  REQUIRE(report["run"].is_number());
  std::string run = std::to_string(report["run"].get<int>());

  auto runs = nlohmann::json::parse(call(s, v::get, "/api/v1/runs", "").body());
  REQUIRE(!runs["runs"].empty());
  CHECK(runs["runs"][0]["id"] == report["run"]);  // newest first
  CHECK(runs["runs"][0]["who"] == "ingest-bot");
  CHECK(runs["runs"][0]["complete"] == true);
  CHECK(runs["runs"][0]["counts"]["added"] == 1);
  CHECK(runs["runs"][0]["counts"]["replaced"] == 1);
  auto one = nlohmann::json::parse(call(s, v::get, "/api/v1/runs/" + run, "").body());
  CHECK(one["records"].size() == 2);
  CHECK(one["files"][0] == "POST /api/v1/import");
  CHECK(call(s, v::get, "/api/v1/runs/999", "").result() == http::status::not_found);
  auto h = nlohmann::json::parse(call(s, v::get, "/api/v1/authors/bulk-one/history", "").body());
  CHECK(h["revisions"][0]["source"] == "POST /api/v1/import:1");
  CHECK(h["revisions"][0]["run"] == report["run"]);

  // Reverting needs an admin token.
  CHECK(call(s, v::post, "/api/v1/runs/" + run + "/revert", "").result() == http::status::unauthorized);
  CHECK(call(s, v::post, "/api/v1/runs/" + run + "/revert", w).result() == http::status::forbidden);
  r = call(s, v::post, "/api/v1/runs/" + run + "/revert?dry_run=true", admin);
  REQUIRE(r.result() == http::status::ok);
  CHECK(nlohmann::json::parse(r.body())["run"].is_null());
  CHECK(s.get("/api/v1/authors/bulk-one").result() == http::status::ok);  // a dry run writes nothing
  r = call(s, v::post, "/api/v1/runs/" + run + "/revert", admin);
  REQUIRE(r.result() == http::status::ok);
  auto rev = nlohmann::json::parse(r.body());
  CHECK(rev["counts"]["restored"] == 1);
  CHECK(rev["counts"]["removed"] == 1);
  CHECK(rev["counts"]["conflicts"] == 0);
  CHECK(s.get("/api/v1/authors/bulk-one").result() == http::status::not_found);
  CHECK(s.get_json("/api/v1/authors/dogacan-basaran") == before);
  auto gone = nlohmann::json::parse(call(s, v::get, "/api/v1/authors/bulk-one/history", "").body());
  CHECK(gone["revisions"][0]["who"] == "archivist");
  CHECK(gone["revisions"][0]["how"] == "revert");
  // Once only; a revert of the revert is the way back.
  CHECK(call(s, v::post, "/api/v1/runs/" + run + "/revert", admin).result() == http::status::conflict);
  CHECK(call(s, v::post, "/api/v1/runs/" + run + "/revert?force=maybe", admin).result() == http::status::bad_request);
  CHECK_THAT(s.log.str(), Catch::Contains("token=archivist"));
}
