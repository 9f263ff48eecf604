// Writes through the API end to end: tokens and scopes, searchable within a second, beside a defter import, under SIGKILL, backups while writing, the curl examples of docs/http-api.md.
#include "served.hpp"

namespace {

// Whether a search finds the article within `wait`.
bool searchable(Served& s, const std::string& query, const std::string& id, std::chrono::milliseconds wait) {
  auto until = std::chrono::steady_clock::now() + wait;
  do {
    Client c(s.server->port());
    auto j = nlohmann::json::parse(c.get("/api/v1/search?q=" + query).body());
    for (const auto& h : j["hits"])
      if (h["id"] == id) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < until);
  return false;
}

}  // namespace

TEST_CASE("writes with a write token: put, replace, delete, searchable within a second", "[httpd][e2e][threads]") {
  Served s;
  std::string w = httpd::create_token(*s.archive, "ingest", httpd::Scope::kWrite).value();
  using v = http::verb;
  Reply r = call(s, v::put, "/api/v1/authors/zeynep-testci", w, R"({"name": "Zeynep Testçi", "bio": {"tr": "Kuokka uzmanı."}})");
  CHECK(r.result() == http::status::created);
  CHECK(nlohmann::json::parse(r.body())["outcome"] == "added");
  r = call(s, v::put, "/api/v1/authors/zeynep-testci", w, R"({"type": "author", "id": "zeynep-testci", "name": "Zeynep Testçi", "bio": {"tr": "Kuokka uzmanı."}})");
  CHECK(r.result() == http::status::ok);
  CHECK(nlohmann::json::parse(r.body())["outcome"] == "unchanged");
  r = call(s, v::put, "/api/v1/articles/quokkas-of-samarkand", w,
           R"({"published": "2024-03", "authors": ["zeynep-testci"], "original_language": "en", "countries": ["UZ"],
               "translations": {"en": {"title": "Quokkas of Samarkand", "body": "A survey of quokkas along the Zeravshan."}}})");
  CHECK(r.result() == http::status::created);
  CHECK(searchable(s, "Zeravshan", "quokkas-of-samarkand", std::chrono::milliseconds(1000)));
  r = call(s, v::put, "/api/v1/articles/quokkas-of-samarkand/translations/tr", w,
           R"({"title": "Semerkant'ın kuokkaları", "body": "Zerefşan boyunca kuokkalar."})");
  CHECK(r.result() == http::status::created);
  auto art = nlohmann::json::parse(s.get("/api/v1/articles/quokkas-of-samarkand").body());
  CHECK(art["translations"].contains("tr"));
  CHECK(art["translations"].contains("en"));
  CHECK(searchable(s, "Zerefşan", "quokkas-of-samarkand", std::chrono::milliseconds(1000)));

  // What the path says wins over nothing: a body that contradicts it is refused.
  r = call(s, v::put, "/api/v1/authors/zeynep-testci", w, R"({"id": "someone-else", "name": "X"})");
  CHECK(r.result() == http::status::bad_request);
  CHECK(problem_of(r)["detail"].get<std::string>().find("field id") != std::string::npos);
  r = call(s, v::put, "/api/v1/articles/bad-date", w, R"({"published": "2024-13", "authors": ["zeynep-testci"], "original_language": "en"})");
  CHECK(r.result() == http::status::bad_request);
  CHECK(problem_of(r)["detail"].get<std::string>().find("published") != std::string::npos);
  r = call(s, v::put, "/api/v1/articles/no-author", w, R"({"published": "2024", "authors": ["nobody-here"], "original_language": "en"})");
  CHECK(r.result() == http::status::bad_request);
  CHECK(problem_of(r)["detail"].get<std::string>().find("nobody-here") != std::string::npos);
  r = call(s, v::put, "/api/v1/authors/x", w, "not json");
  CHECK(r.result() == http::status::bad_request);
  CHECK(s.get("/api/v1/articles/bad-date").result() == http::status::not_found);  // nothing half-written

  // Deletes: a translation, then an author still named (409), the article, the author.
  CHECK(call(s, v::delete_, "/api/v1/articles/quokkas-of-samarkand/translations/tr", w).result() == http::status::no_content);
  CHECK(call(s, v::delete_, "/api/v1/articles/quokkas-of-samarkand/translations/tr", w).result() == http::status::not_found);
  CHECK(call(s, v::delete_, "/api/v1/authors/zeynep-testci", w).result() == http::status::conflict);
  CHECK(call(s, v::delete_, "/api/v1/articles/quokkas-of-samarkand", w).result() == http::status::no_content);
  CHECK(call(s, v::delete_, "/api/v1/authors/zeynep-testci", w).result() == http::status::no_content);
  CHECK(s.get("/api/v1/authors/zeynep-testci").result() == http::status::not_found);
  bool gone = false;  // from the index too, within a second
  for (int i = 0; i < 50 && !gone; ++i) {
    gone = !searchable(s, "Zeravshan", "quokkas-of-samarkand", std::chrono::milliseconds(0));
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(gone);

  // POST /import: the same rules and report as defter import.
  r = call(s, v::post, "/api/v1/import", w,
           "{\"type\":\"author\",\"id\":\"bulk-one\",\"name\":\"Bulk One\"}\n"
           "{\"type\":\"author\",\"id\":\"Bad Id\",\"name\":\"X\"}\n"
           "{\"type\":\"author\",\"id\":\"bulk-two\",\"name\":\"Bulk Two\",\"shoe_size\":44}\n");
  REQUIRE(r.result() == http::status::ok);
  auto report = nlohmann::json::parse(r.body());
  CHECK(report["added"] == 2);
  CHECK(report["rejected"] == 1);
  CHECK(report["warnings"] == 1);
  bool line2 = false;
  for (const auto& p : report["problems"]) line2 |= p["line"] == 2 && p["field"] == "id" && !p["warning"].get<bool>();
  CHECK(line2);
  CHECK(s.get("/api/v1/authors/bulk-two").result() == http::status::ok);
}

TEST_CASE("tokens: missing, wrong, revoked and read-scoped tokens cannot write, and reads may need one", "[httpd][e2e]") {
  using v = http::verb;
  SECTION("writes") {
    Served s;
    std::string w = httpd::create_token(*s.archive, "writer", httpd::Scope::kWrite).value();
    std::string rd = httpd::create_token(*s.archive, "reader", httpd::Scope::kRead).value();
    std::string admin = httpd::create_token(*s.archive, "admin", httpd::Scope::kAdmin).value();
    CHECK(httpd::create_token(*s.archive, "writer", httpd::Scope::kRead).status().code() == Code::kConflict);
    const std::string body = R"({"name": "Token Test"})";
    Reply r = call(s, v::put, "/api/v1/authors/token-test", "", body);
    CHECK(r.result() == http::status::unauthorized);
    CHECK(r[http::field::www_authenticate] == "Bearer realm=\"defter\"");
    CHECK(call(s, v::put, "/api/v1/authors/token-test", w + "x", body).result() == http::status::unauthorized);
    CHECK(call(s, v::put, "/api/v1/authors/token-test", "dft_" + std::string(64, '0'), body).result() == http::status::unauthorized);
    r = call(s, v::put, "/api/v1/authors/token-test", rd, body);
    CHECK(r.result() == http::status::forbidden);
    CHECK(problem_of(r)["detail"] == "the token's scope (read) does not allow writes");
    CHECK(call(s, v::put, "/api/v1/authors/token-test", admin, body).result() == http::status::created);
    CHECK(call(s, v::delete_, "/api/v1/authors/token-test", w).result() == http::status::no_content);
    REQUIRE(httpd::revoke_token(*s.archive, "writer").ok());
    CHECK(call(s, v::put, "/api/v1/authors/token-test", w, body).result() == http::status::unauthorized);
    CHECK(httpd::revoke_token(*s.archive, "writer").code() == Code::kNotFound);
    // Stored hashed: no secret in the archive, none in the log.
    auto listed = httpd::list_tokens(*s.archive);
    REQUIRE(listed.ok());
    const std::vector<archive::StoredToken> stored = *listed;
    CHECK(stored.size() == 2);
    for (const auto& t : stored) {
      CHECK(t.hash.size() == 64);
      CHECK(t.hash != rd.substr(4));
    }
    s.server->stop();
    CHECK(s.log.str().find(rd) == std::string::npos);
    CHECK(s.log.str().find(admin) == std::string::npos);
  }
  SECTION("reads, with --require-read-token") {
    httpd::ServerOptions o;
    o.require_read_token = true;
    Served s(o);
    std::string rd = httpd::create_token(*s.archive, "reader", httpd::Scope::kRead).value();
    CHECK(call(s, v::get, "/api/v1/search?q=Kazakhstan", "").result() == http::status::unauthorized);
    CHECK(call(s, v::get, "/api/v1/articles/" + kSeed, "wrong").result() == http::status::unauthorized);
    CHECK(call(s, v::get, "/api/v1/search?q=Kazakhstan", rd).result() == http::status::ok);
    CHECK(call(s, v::get, "/healthz", "").result() == http::status::ok);
    CHECK(call(s, v::get, "/api/v1/openapi.json", "").result() == http::status::ok);
  }
}

TEST_CASE("API writes and a defter import at once lose nothing, and every 2xx write survives SIGKILL", "[httpd][e2e][fault]") {
  test::TempDir dir;
  const auto data = dir.path() / "data";
  std::string token = write_token(data);
  test::generate_corpus(dir.path() / "corpus.jsonl", 400, 60, 5);

  auto serve = std::make_unique<ServeProcess>(data, "1");
  REQUIRE(serve->port != 0);
  test::Child import({test::defter_binary(), "--data", data.string(), "import", (dir.path() / "corpus.jsonl").string()},
                     dir.path() / "import.err");
  // Authors through the API while the import runs; each one acknowledged is remembered.
  std::vector<std::string> acknowledged;
  auto put = [&](std::uint16_t port, int i) {
    Client c(port);
    http::request<http::string_body> req{http::verb::put, "/api/v1/authors/api-author-" + std::to_string(i), 11};
    req.set(http::field::authorization, "Bearer " + token);
    req.body() = R"({"name": "Probe Qzx)" + std::to_string(i) + R"(", "bio": {"en": "Written through the API."}})";
    Reply r = c.send(std::move(req));
    if (r.result() == http::status::created || r.result() == http::status::ok) acknowledged.push_back("api-author-" + std::to_string(i));
    return r.result();
  };
  int failed = 0;
  for (int i = 0; i < 60; ++i)
    if (auto st = put(serve->port, i); st != http::status::created) {
      ++failed;
      UNSCOPED_INFO("write " << i << " answered " << static_cast<int>(st));
    }
  CHECK(failed == 0);
  CHECK(import.wait() == 0);
  auto searchable_within = [&](int i, std::chrono::milliseconds wait) {
    auto until = std::chrono::steady_clock::now() + wait;
    do {
      Client c(serve->port);
      auto j = nlohmann::json::parse(c.get("/api/v1/search?q=Qzx" + std::to_string(i) + "&type=author").body());
      for (const auto& h : j["hits"])
        if (h["id"] == "api-author-" + std::to_string(i)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (std::chrono::steady_clock::now() < until);
    return false;
  };
  // Written during the import, each was made searchable ahead of the import's
  // records; all are still found once the server has caught up.
  for (int i = 0; i < 60; ++i) {
    INFO("api-author-" << i);
    CHECK(searchable_within(i, std::chrono::seconds(5)));
  }
  // A write is searchable within a second, even with a backlog of a bulk
  // import ahead of it in the change log.
  test::generate_corpus(dir.path() / "more.jsonl", 600, 60, 9, "more");
  test::Child more({test::defter_binary(), "--data", data.string(), "import", (dir.path() / "more.jsonl").string()},
                   dir.path() / "more.err");
  for (int i = 60; i < 70; ++i) {
    INFO("api-author-" << i);
    REQUIRE(put(serve->port, i) == http::status::created);
    CHECK(searchable_within(i, kSearchableWithin));
  }
  CHECK(more.wait() == 0);
  CHECK(test::read_file(dir.path() / "more.err").find("a server (defter serve) indexes these changes") != std::string::npos);
  // More writes, then the server is killed mid-stream.
  for (int i = 70; i < 80; ++i) put(serve->port, i);
  serve->child->kill_now();
  serve.reset();

  auto again = std::make_unique<ServeProcess>(data, "2");
  REQUIRE(again->port != 0);
  Client c(again->port);
  for (const auto& id : acknowledged) {
    INFO(id);
    CHECK(c.get("/api/v1/authors/" + id).result() == http::status::ok);
  }
  CHECK(acknowledged.size() == 80);
  // The import's records are all there, and once the server has indexed what
  // it had not, archive and index agree.
  std::size_t corpus_articles = 0, corpus_authors = 0;
  for (const char* file : {"corpus.jsonl", "more.jsonl"}) {
    std::ifstream in(dir.path() / file);
    for (std::string line; std::getline(in, line);) {
      auto type = nlohmann::json::parse(line).value("type", "");
      corpus_articles += type == "article";
      corpus_authors += type == "author";
    }
  }
  REQUIRE(corpus_articles > 0);
  auto stats = nlohmann::json::parse(c.get("/api/v1/stats").body());
  CHECK(stats["articles"].get<std::size_t>() == corpus_articles);
  CHECK(stats["authors"].get<std::size_t>() == corpus_authors + acknowledged.size());
  bool clean = false;
  // (The restarted server indexes the rest of the second import first: up to a minute on a loaded machine.)
  for (int i = 0; i < 120 && !clean; ++i) {
    auto verify = test::defter(data.string(), {"verify"});
    clean = verify.exit_code == 0;
    if (!clean) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  CHECK(clean);
  again->child->signal(SIGTERM);
  CHECK(again->child->wait() == 0);
}

TEST_CASE("the curl examples of docs/http-api.md work as written", "[httpd][e2e]") {
  // Each URL of a `curl '...'` line in docs/http-api.md, on the sample archive
  // (the demo's), with the test server's port for 8080.
  Served s;
  std::string readme = test::read_file(test::source_dir() / "docs" / "http-api.md");
  const std::string prefix = "curl 'http://127.0.0.1:8080";
  int tried = 0;
  for (std::size_t at = readme.find(prefix); at != std::string::npos; at = readme.find(prefix, at + 1)) {
    std::size_t begin = at + prefix.size();
    std::string target = readme.substr(begin, readme.find('\'', begin) - begin);
    Reply r = s.get(target, {}, target.rfind("/metrics", 0) != 0);
    INFO(target);
    CHECK(r.result() == http::status::ok);
    ++tried;
  }
  CHECK(tried >= 9);
  // The writes: `curl -X METHOD -H "Authorization: Bearer $TOKEN" [-d 'BODY'
  // | --data-binary @FILE] URL`, in order, with a token of this archive
  // ($ADMIN: one of the admin scope).
  std::string token = httpd::create_token(*s.archive, "readme", httpd::Scope::kWrite).value();
  std::string admin = httpd::create_token(*s.archive, "readme-admin", httpd::Scope::kAdmin).value();
  int writes = 0;
  std::istringstream lines(readme);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("    curl -X ", 0) != 0) continue;
    std::istringstream words(line.substr(12));
    std::string method;
    words >> method;
    std::string body;
    if (auto d = line.find(" -d '"); d != std::string::npos) body = line.substr(d + 5, line.find("' ", d + 5) - d - 5);
    if (auto f = line.find("--data-binary @"); f != std::string::npos)
      body = test::read_file(test::source_dir() / line.substr(f + 15, line.find(' ', f + 15) - f - 15));
    std::string target = line.substr(line.rfind("http://127.0.0.1:8080") + 21);
    if (!target.empty() && target.back() == '\'') target.pop_back();
    http::verb verb = method == "PUT" ? http::verb::put : method == "POST" ? http::verb::post : http::verb::delete_;
    Reply r = call(s, verb, target, line.find("$ADMIN") != std::string::npos ? admin : token, body);
    INFO(line);
    CHECK(r.result_int() / 100 == 2);
    ++writes;
  }
  CHECK(writes == 6);
}

TEST_CASE("defter backup copies a served archive while writes go on, and the copy restores", "[httpd][e2e][fault]") {
  test::TempDir dir;
  const auto data = dir.path() / "data";
  std::string token = write_token(data);
  test::generate_corpus(dir.path() / "corpus.jsonl", 300, 60, 7);
  REQUIRE(test::defter(data.string(), {"import", (dir.path() / "corpus.jsonl").string()}).exit_code == 0);
  ServeProcess serve(data, "b");
  REQUIRE(serve.port != 0);
  // A writer that goes on through the backup; `before` counts the writes
  // acknowledged before the backup began.
  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0};
  std::thread writer([&] {
    Client c(serve.port);
    for (int i = 0; !stop; ++i) {
      http::request<http::string_body> req{http::verb::put, "/api/v1/authors/backup-author-" + std::to_string(i), 11};
      req.set(http::field::authorization, "Bearer " + token);
      req.body() = R"({"name": "Backup Probe )" + std::to_string(i) + R"(", "bio": {"en": "Written during a backup."}})";
      Reply r = c.send(std::move(req));
      if (r.result() != http::status::created) break;
      acknowledged = i + 1;
    }
  });
  while (acknowledged < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  int before = acknowledged;
  auto backup = test::defter(data.string(), {"backup", (dir.path() / "backup").string()});
  int after = acknowledged;
  stop = true;
  writer.join();
  INFO(backup.out << backup.err);
  REQUIRE(backup.exit_code == 0);
  CHECK(backup.out.find("verify clean") != std::string::npos);
  CHECK(after > before);  // writes went on while it copied
  // A second backup into the same place is refused; nothing half-made is left.
  CHECK(test::defter(data.string(), {"backup", (dir.path() / "backup").string()}).exit_code == 2);
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    CHECK(e.path().filename().string().find(".partial") == std::string::npos);
  // The backup is a data directory: verify accepts it, and every write
  // acknowledged before the backup began is in it.
  auto verified = test::defter((dir.path() / "backup").string(), {"verify"});
  INFO(verified.out);
  CHECK(verified.exit_code == 0);
  for (int i = 0; i < before; ++i) {
    INFO("backup-author-" << i);
    CHECK(test::defter((dir.path() / "backup").string(), {"get", "backup-author-" + std::to_string(i)}).exit_code == 0);
  }
  // Restore makes a new data directory from it, and a server starts on it.
  auto restored = test::defter((dir.path() / "restored").string(), {"restore", (dir.path() / "backup").string()});
  INFO(restored.err);
  REQUIRE(restored.exit_code == 0);
  CHECK(test::defter((dir.path() / "restored").string(), {"restore", (dir.path() / "backup").string()}).exit_code ==
        2);  // not over a data directory (2: usage)
  ServeProcess again(dir.path() / "restored", "r");
  REQUIRE(again.port != 0);
  Client c(again.port);
  auto j = nlohmann::json::parse(c.get("/api/v1/search?q=Probe&type=author&size=1").body());
  CHECK(j["total"].get<int>() >= before);
}
