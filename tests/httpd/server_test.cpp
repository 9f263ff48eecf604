// The server read side end to end: search, suggest, records, the page's files, errors, limits, caching, connections, defter serve.
#include "served.hpp"

TEST_CASE("search answers with hits, facets and the query as understood", "[httpd][e2e][threads]") {
  Served s;
  auto j = s.get_json("/api/v1/search?q=Kazakhstan&size=5");
  CHECK(j["total"].get<int>() > 0);
  CHECK(j["hits"].size() <= 5);
  CHECK(j["facets"].contains("country"));
  // Filters repeat or take commas; both mean the same.
  auto a = s.get_json("/api/v1/search?country=KZ&country=CN&lang=ru");
  auto b = s.get_json("/api/v1/search?country=KZ,CN&lang=ru");
  CHECK(a["total"] == b["total"]);
  for (const auto& h : a["hits"]) CHECK(h["lang"] == "ru");
  // Percent-encoded UTF-8 in any script.
  auto ru = s.get_json("/api/v1/search?q=%D0%9A%D0%B0%D0%B7%D0%B0%D1%85%D1%81%D1%82%D0%B0%D0%BD");
  CHECK(ru["query"]["text"] == "Казахстан");
  CHECK(ru["total"].get<int>() > 0);
  // The same JSON as the library's (and so as `defter search --json`).
  auto searcher = std::move(indexer::Searcher::open(s.options, *s.archive).value());
  indexer::SearchRequest req;
  req.query = "Kazakhstan";
  req.size = 5;
  auto direct = indexer::to_json(searcher->search(req).value());
  direct.erase("timings_ms");
  j.erase("timings_ms");
  CHECK(direct == j);
  // Sorting and paging.
  auto newest = s.get_json("/api/v1/search?sort=newest&size=3&page=2");
  CHECK(newest["page"] == 2);
  CHECK(newest["size"] == 3);
}

TEST_CASE("suggest, articles, authors, facets, stats and the OpenAPI document", "[httpd][e2e][threads]") {
  Served s;
  auto sug = s.get_json("/api/v1/suggest?q=Kaz");
  REQUIRE(sug.is_array());
  CHECK(!sug.empty());

  auto art = s.get_json("/api/v1/articles/" + kSeed);
  CHECK(art["id"] == kSeed);
  CHECK(art["translations"].size() >= 3);
  auto tr = s.get_json("/api/v1/articles/" + kSeed + "?lang=tr");
  CHECK(tr["translations"].size() == 1);
  CHECK(tr["translations"].contains("tr"));
  CHECK(!tr["translations"]["tr"]["footnotes"].empty());

  std::string author = art["authors"][0];
  auto au = s.get_json("/api/v1/authors/" + author);
  CHECK(au["id"] == author);
  bool lists_seed = false;
  for (const auto& a : au["articles"]) lists_seed |= a["id"] == kSeed;
  CHECK(lists_seed);

  auto facets = s.get_json("/api/v1/facets");
  CHECK(facets["facets"].contains("country"));
  CHECK(facets["total"].get<int>() > 0);

  // The field table, as the page reads it (open, as the OpenAPI document
  // is); each filter is a search parameter the document describes.
  auto fields = s.get_json("/api/v1/fields");
  std::vector<std::string> filters;
  for (const auto& f : fields["fields"])
    if (f["filter"].get<bool>()) filters.push_back(f["name"]);
  CHECK(filters == std::vector<std::string>{"country", "year", "month", "author", "lang", "type"});

  auto stats = s.get_json("/api/v1/stats");
  CHECK(stats["articles"].get<int>() > 0);
  CHECK(stats["index"]["documents"].get<int>() > 0);

  auto doc = s.get_json("/api/v1/openapi.json");
  CHECK(doc["openapi"] == "3.1.0");
  CHECK(doc["paths"].contains("/api/v1/search"));
  std::set<std::string> parameters;
  for (const auto& p : doc["paths"]["/api/v1/search"]["get"]["parameters"]) parameters.insert(p["name"].get<std::string>());
  for (const auto& f : filters) CHECK(parameters.count(f) == 1);

  CHECK(s.get_json("/healthz")["status"] == "ok");
  CHECK(s.get_json("/readyz")["status"] == "ready");
  Reply m = s.get("/metrics");
  REQUIRE(m.result() == http::status::ok);
  CHECK(m.body().find("defter_http_requests_total{route=\"search\"") == std::string::npos);  // no search yet
  CHECK(m.body().find("defter_http_requests_total{route=\"article\",status=\"200\"} 2") != std::string::npos);
  CHECK(m.body().find("defter_index_documents{lang=\"tr\"}") != std::string::npos);
  CHECK(m.body().find("defter_index_last_change") != std::string::npos);
  CHECK(m.body().find("defter_index_age_seconds") != std::string::npos);
  // The access log has a line per request (read once the server stopped writing it).
  s.server->stop();
  CHECK(s.log.str().find("\"GET /api/v1/articles/" + kSeed + "?lang=tr\" 200") != std::string::npos);
}

TEST_CASE("names across scripts through the API: authors and countries by transliteration, suggestions in ui_lang", "[httpd][e2e][entities]") {
  Served s;
  auto ids = [&](const std::string& q) {
    std::set<std::string> out;
    auto r = s.get_json("/api/v1/search?size=50&q=" + q);
    for (const auto& h : r["hits"]) out.insert(h["type"].get<std::string>() + ":" + h["id"].get<std::string>());
    return out;
  };
  CHECK(ids("Sokolova").count("author:irina-sokolova"));
  CHECK(ids("%D0%91%D0%B0%D1%88%D0%B0%D1%80%D0%B0%D0%BD").count("author:dogacan-basaran"));  // Башаран
  auto kz = ids("country:KZ");
  REQUIRE_FALSE(kz.empty());
  CHECK(ids("country:Kazahstan") == kz);
  // Countries in the reader's language; the default is English.
  auto tr = s.get_json("/api/v1/suggest?q=Kaz&ui_lang=tr");
  REQUIRE_FALSE(tr.empty());
  CHECK(tr[0]["kind"] == "country");
  CHECK(tr[0]["text"] == "Kazakistan");
  auto en = s.get_json("/api/v1/suggest?q=T%C3%BCr");  // Tür: CLDR's English name, not another language's
  bool turkey = false;
  for (const auto& x : en) {
    turkey |= x["kind"] == "country" && x["text"] == "Türkiye";
    CHECK(x["text"] != "Turchia");
  }
  CHECK(turkey);
  // The article view says which notes give their access date in their text.
  auto view = s.get_json("/api/v1/articles/" + kSeed + "/view?lang=en");
  const auto& note = view["translation"]["footnotes"][0];
  CHECK(note["accessed"] == "2023-05-20");
  CHECK(note["accessed_in_text"] == true);
}

TEST_CASE("the article view and the staff page's files", "[httpd][e2e]") {
  Served s;
  // The view: one translation, chosen by lang, then ui_lang, then the original.
  auto en = s.get_json("/api/v1/articles/" + kSeed + "/view");
  CHECK(en["lang"] == "en");
  CHECK(en["languages"].size() >= 3);
  CHECK(en["authors"][0]["name"] == "Doğacan Başaran");
  CHECK(en["translation"]["body_html"].get<std::string>().rfind("<p>", 0) == 0);
  CHECK(!en["translation"]["footnotes"].empty());
  CHECK(s.get_json("/api/v1/articles/" + kSeed + "/view?lang=tr")["lang"] == "tr");
  CHECK(s.get_json("/api/v1/articles/" + kSeed + "/view?ui_lang=ru")["lang"] == "ru");
  CHECK(s.get_json("/api/v1/articles/" + kSeed + "/view?lang=xx&ui_lang=xx")["lang"] == "en");  // the original
  // Countries: the seed's record names none; its text names Kazakhstan, in
  // the reader's language.
  auto tr = s.get_json("/api/v1/articles/" + kSeed + "/view?ui_lang=tr");
  bool kz = false;
  for (const auto& c : tr["countries"]) kz |= c["code"] == "KZ" && c["name"] == "Kazakistan" && c["subject"] == false;
  CHECK(kz);
  CHECK(s.get("/api/v1/articles/none/view").result() == http::status::not_found);
  // Raw HTML in a body is text, and a javascript: link loses its target.
  test::write_file(s.dir.path() / "hostile.jsonl", test::read_file(test::source_dir() / "tests" / "web" / "hostile.jsonl"));
  archive::ImportListener quiet;
  REQUIRE(archive::import_jsonl(*s.archive, {(s.dir.path() / "hostile.jsonl").string()}, {}, quiet).ok());
  auto hostile = s.get_json("/api/v1/articles/hostile-record/view");
  std::string html = hostile["translation"]["body_html"];
  CHECK(html.find("&lt;script&gt;window.__pwned=3&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("javascript:") == std::string::npos);
  // The page: one document for its paths, its assets, nothing else.
  for (const char* path : {"/", "/?q=Kazakhstan&country=KZ", "/articles/anything", "/authors/anyone"}) {
    INFO(path);
    Reply page = s.get(path, {}, false);
    REQUIRE(page.result() == http::status::ok);
    CHECK(page[http::field::content_type] == "text/html; charset=utf-8");
    // The page's scripts, in the order they must run.
    auto at = [&](const char* name) { return page.body().find(std::string("<script src=\"/static/") + name + "\" defer></script>"); };
    REQUIRE(at("messages.js") != std::string::npos);
    CHECK(at("messages.js") < at("dom.js"));
    CHECK(at("dom.js") < at("records.js"));
    CHECK(at("records.js") < at("session.js"));
    CHECK(at("session.js") < at("app.js"));
    CHECK(at("app.js") != std::string::npos);
    CHECK(std::string(page["Content-Security-Policy"]).find("script-src 'self'") != std::string::npos);
  }
  for (const char* script : {"messages.js", "dom.js", "records.js", "session.js", "app.js"}) {
    INFO(script);
    Reply js = s.get(std::string("/static/") + script, {}, false);
    REQUIRE(js.result() == http::status::ok);
    CHECK(js[http::field::content_type] == "text/javascript; charset=utf-8");
    CHECK(js.body() == test::read_file(test::source_dir() / "httpd" / "web" / script));
  }
  CHECK(s.get("/static/app.css", {}, false)[http::field::content_type] == "text/css; charset=utf-8");
  CHECK(s.get("/static/missing.js", {}, false).result() == http::status::not_found);
  CHECK(s.get("/static/..%2fapi", {}, false).result() == http::status::bad_request);
  CHECK(s.get("/static/../CMakeLists.txt", {}, false).result() == http::status::bad_request);
  CHECK(s.get("/articles/a/b", {}, false).result() == http::status::not_found);
  Client c(s.server->port());
  http::request<http::string_body> post{http::verb::post, "/", 11};
  post.body() = "x";
  CHECK(c.send(std::move(post)).result() == http::status::method_not_allowed);
}

TEST_CASE("errors are problem documents with the status, naming what is wrong", "[httpd][e2e]") {
  httpd::ServerOptions o;
  o.max_body_bytes = 1024;
  o.max_header_bytes = 4096;
  o.max_target_bytes = 2048;
  o.max_page_size = 50;
  Served s(o);
  auto expect = [&](const std::string& target, http::status status, const std::string& says) {
    Reply r = s.get(target, {}, target != "/api/v1/nothing");
    INFO(target);
    CHECK(r.result() == status);
    auto p = problem_of(r);
    CHECK(p["detail"].get<std::string>().find(says) != std::string::npos);
  };
  expect("/api/v1/nothing", http::status::not_found, "no such resource");
  expect("/api/v1/articles/no-such-article", http::status::not_found, "no article 'no-such-article'");
  expect("/api/v1/articles/" + kSeed + "?lang=de", http::status::not_found, "no translation 'de'");
  expect("/api/v1/authors/nobody", http::status::not_found, "no author 'nobody'");
  expect("/api/v1/search?page=0", http::status::bad_request, "'page'");
  expect("/api/v1/search?size=51", http::status::bad_request, "'size' must be a whole number from 1 to 50");
  expect("/api/v1/search?sort=best", http::status::bad_request, "'sort'");
  expect("/api/v1/search?contry=KZ", http::status::bad_request, "unknown parameter 'contry'");
  expect("/api/v1/search?q=%zz", http::status::bad_request, "'q' has a bad percent-encoding");
  expect("/api/v1/search?q=%ff%fe", http::status::bad_request, "'q' has a bad percent-encoding or is not UTF-8");
  expect("/api/v1/search?year=20x4", http::status::bad_request, "filter year");
  expect("/api/v1/search?facets=colour", http::status::bad_request, "'colour' is not a facet");
  expect("/api/v1/suggest", http::status::bad_request, "'q' is required");
  expect("/api/v1/articles/%2e%2e", http::status::bad_request, "'..'");
  expect("/api/v1/articles/a%2fb", http::status::bad_request, "'/'");
  // A body-carrying method on a read-only resource.
  {
    Client c(s.server->port());
    http::request<http::string_body> req{http::verb::put, "/api/v1/search", 11};
    req.body() = "{}";
    Reply r = c.send(req);
    CHECK(r.result() == http::status::method_not_allowed);
    CHECK(r[http::field::allow] == "GET, HEAD");
    CHECK(s.openapi.check("put", "/api/v1/search", r) != "");  // not in the document: PUT is not an operation there
    problem_of(r);
  }
  // 411: a body with no length, where POST is the method (elsewhere: 405).
  {
    Client c(s.server->port());
    c.write_raw("POST /api/v1/import HTTP/1.1\r\nHost: x\r\n\r\n");
    Reply r = c.read();
    CHECK(r.result() == http::status::length_required);
    problem_of(r);
  }
  // 413: a body over the limit.
  {
    Client c(s.server->port());
    http::request<http::string_body> req{http::verb::put, "/api/v1/articles/x", 11};
    req.body() = std::string(4096, 'x');
    Reply r = c.send(req);
    CHECK(r.result() == http::status::payload_too_large);
    problem_of(r);
  }
  // 414 and 431: a long target, large headers.
  {
    Client c(s.server->port());
    Reply r = c.get("/api/v1/search?q=" + std::string(3000, 'a'));
    CHECK(r.result() == http::status::uri_too_long);
    problem_of(r);
  }
  {
    Client c(s.server->port());
    c.write_raw("GET /api/v1/search?q=" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    Reply r = c.read();
    CHECK(r.result() == http::status::uri_too_long);
  }
  {
    Client c(s.server->port());
    Reply r = c.get("/healthz", {{"X-Padding", std::string(5000, 'p')}});
    CHECK(r.result() == http::status::request_header_fields_too_large);
    problem_of(r);
  }
  {
    Client c(s.server->port());
    std::string many;
    for (int i = 0; i < 200; ++i) many += "X-H" + std::to_string(i) + ": " + std::string(100, 'v') + "\r\n";
    c.write_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n" + many + "\r\n");
    Reply r = c.read();
    CHECK(r.result() == http::status::request_header_fields_too_large);
  }
  // 400: not HTTP at all; the connection closes after the answer.
  {
    Client c(s.server->port());
    c.write_raw("HELLO THERE\r\n\r\n");
    Reply r = c.read();
    CHECK(r.result() == http::status::bad_request);
    CHECK(c.closed_by_server());
  }
  // Nothing from the machine leaks into an error.
  s.server->stop();
  CHECK(s.log.str().find(s.dir.path().string()) == std::string::npos);
}

TEST_CASE("too many connections get 503, too many requests 429, no index 503", "[httpd][e2e][threads]") {
  SECTION("connections") {
    httpd::ServerOptions o;
    o.max_connections = 2;
    Served s(o);
    Client a(s.server->port()), b(s.server->port());
    CHECK(a.get("/healthz").result() == http::status::ok);
    CHECK(b.get("/healthz").result() == http::status::ok);
    Client c(s.server->port());
    Reply r = c.read();
    CHECK(r.result() == http::status::service_unavailable);
    CHECK(!r[http::field::retry_after].empty());
    problem_of(r);
    // The first two keep being served.
    CHECK(a.get("/healthz").result() == http::status::ok);
  }
  SECTION("rate") {
    httpd::ServerOptions o;
    o.rate_limit = 5;  // bursts of 10
    Served s(o);
    Client c(s.server->port());
    int limited = 0;
    for (int i = 0; i < 30; ++i) {
      Reply r = c.get("/healthz");
      if (r.result() == http::status::too_many_requests) {
        ++limited;
        CHECK(r[http::field::retry_after] == "1");
        CHECK(s.openapi.check("get", "/api/v1/search", r) == "");
      }
    }
    CHECK(limited >= 15);
  }
  SECTION("no index yet") {
    test::TempDir empty;
    httpd::ServerOptions o;
    o.data = empty.path();
    test::RunningServer server(o);
    test::OpenApi openapi;
    Client c(server.port());
    for (const char* target : {"/readyz", "/api/v1/search?q=x"}) {
      Reply r = c.get(target);
      INFO(target);
      CHECK(r.result() == http::status::service_unavailable);
      CHECK(!r[http::field::retry_after].empty());
      CHECK(openapi.check("get", target, r) == "");
    }
    CHECK(c.get("/healthz").result() == http::status::ok);
    CHECK(c.get("/api/v1/articles/x").result() == http::status::not_found);
  }
}

TEST_CASE("ETags, If-None-Match, gzip, HEAD and keep-alive", "[httpd][e2e]") {
  Served s;
  Client c(s.server->port());
  Reply first = c.get("/api/v1/articles/" + kSeed);
  REQUIRE(first.result() == http::status::ok);
  std::string tag(first[http::field::etag]);
  REQUIRE(tag.size() == 18);
  Reply again = c.get("/api/v1/articles/" + kSeed, {{"If-None-Match", tag}});
  CHECK(again.result() == http::status::not_modified);
  CHECK(again.body().empty());
  CHECK(c.get("/api/v1/articles/" + kSeed, {{"If-None-Match", "\"other\""}}).result() == http::status::ok);
  CHECK(c.get("/api/v1/articles/" + kSeed, {{"If-None-Match", "\"x\", " + tag}}).result() == http::status::not_modified);
  // Another translation is another representation.
  Reply ru = c.get("/api/v1/articles/" + kSeed + "?lang=ru");
  CHECK(std::string(ru[http::field::etag]) != tag);
  Reply author = c.get("/api/v1/authors/" + nlohmann::json::parse(first.body())["authors"][0].get<std::string>());
  CHECK(!author[http::field::etag].empty());

  Reply zipped = c.get("/api/v1/articles/" + kSeed, {{"Accept-Encoding", "gzip, br"}});
  CHECK(zipped[http::field::content_encoding] == "gzip");
  CHECK(zipped[http::field::vary] == "Accept-Encoding");
  CHECK(zipped.body().size() < first.body().size());
  CHECK(gunzip(zipped.body()) == first.body());
  Reply refused = c.get("/api/v1/articles/" + kSeed, {{"Accept-Encoding", "gzip;q=0"}});
  CHECK(refused[http::field::content_encoding].empty());

  http::request<http::string_body> head{http::verb::head, "/api/v1/articles/" + kSeed, 11};
  Reply h = c.send(head, true);
  CHECK(h.result() == http::status::ok);
  CHECK(h[http::field::content_length] == std::to_string(first.body().size()));
  CHECK(h.body().empty());
  // All of that on one connection.
  CHECK(c.get("/healthz").result() == http::status::ok);
}

TEST_CASE("a compressed article is made once per version and shared by the threads", "[httpd][e2e]") {
  Served s;
  auto metric = [&](const std::string& name) {
    std::string body = s.get("/metrics", {}, false).body();
    std::size_t at = body.find("\n" + name + " ");
    REQUIRE(at != std::string::npos);
    return std::stoull(body.substr(at + name.size() + 2));
  };
  const std::string target = "/api/v1/articles/" + kSeed;
  const std::string plain = s.get(target).body();
  std::string first;
  for (int i = 0; i < 3; ++i) {  // new connections: any thread
    Reply z = s.get(target, {{"Accept-Encoding", "gzip"}});
    REQUIRE(z[http::field::content_encoding] == "gzip");
    CHECK(gunzip(z.body()) == plain);
    if (i == 0) first = z.body();
    CHECK(z.body() == first);
  }
  CHECK(metric("defter_gzip_cache_misses_total") == 1);
  CHECK(metric("defter_gzip_cache_hits_total") == 2);
  CHECK(metric("defter_gzip_cache_bytes") == first.size());
  // A new version of the record is compressed anew, never served stale.
  REQUIRE(s.archive->write([&](archive::WriteBatch& b) -> Status {
    auto r = b.remove(schema::RecordType::kTranslation, kSeed, "zh");
    return r.ok() ? Status() : r.status();
  }).ok());
  const std::string changed = s.get(target).body();
  REQUIRE(changed != plain);
  Reply z = s.get(target, {{"Accept-Encoding", "gzip"}});
  CHECK(gunzip(z.body()) == changed);
  CHECK(metric("defter_gzip_cache_misses_total") == 2);
}

TEST_CASE("without a gzip cache every response is compressed as it goes", "[httpd][e2e]") {
  httpd::ServerOptions o;
  o.gzip_cache_bytes = 0;
  Served s(o);
  const std::string target = "/api/v1/articles/" + kSeed;
  const std::string plain = s.get(target).body();
  for (int i = 0; i < 2; ++i) {
    Reply z = s.get(target, {{"Accept-Encoding", "gzip"}});
    REQUIRE(z[http::field::content_encoding] == "gzip");
    CHECK(gunzip(z.body()) == plain);
  }
}

TEST_CASE("pipelined requests are answered in order", "[httpd][e2e][threads]") {
  Served s;
  Client c(s.server->port());
  std::string batch;
  for (int i = 0; i < 20; ++i) batch += "GET /api/v1/articles/" + kSeed + "?lang=" + (i % 2 ? "ru" : "tr") + " HTTP/1.1\r\nHost: x\r\n\r\n";
  c.write_raw(batch);
  for (int i = 0; i < 20; ++i) {
    Reply r = c.read();
    REQUIRE(r.result() == http::status::ok);
    CHECK(nlohmann::json::parse(r.body())["translations"].contains(i % 2 ? "ru" : "tr"));
  }
}

TEST_CASE("a stalled or trickling client is cut off and holds no thread", "[httpd][e2e][threads]") {
  httpd::ServerOptions o;
  o.request_timeout = std::chrono::milliseconds(500);
  o.idle_timeout = std::chrono::milliseconds(500);
  o.threads = 1;
  Served s(o);
  Client stalled(s.server->port());
  stalled.write_raw("GET /healthz HTTP/1.1\r\nHost:");  // never finished
  Client idle(s.server->port());
  // The one thread still serves others meanwhile.
  CHECK(s.get("/healthz").result() == http::status::ok);
  CHECK(stalled.closed_by_server(std::chrono::seconds(5)));
  CHECK(idle.closed_by_server(std::chrono::seconds(5)));
}

TEST_CASE("stop closes idle connections, finishes what is in flight and returns", "[httpd][e2e][threads]") {
  Served s;
  Client idle(s.server->port());
  CHECK(idle.get("/healthz").result() == http::status::ok);  // kept alive, now idle
  CHECK(s.server->stops_within(std::chrono::seconds(5)));
  CHECK(idle.closed_by_server());
}


TEST_CASE("defter serve prints its address, serves, and exits 0 on SIGTERM", "[httpd][e2e]") {
  test::Sample sample;
  ServeProcess serve(sample.dir.path(), "a");
  auto& child = *serve.child;
  std::uint16_t port = serve.port;
  REQUIRE(port != 0);
  Client c(port);
  Reply r = c.get("/api/v1/search?q=Kazakhstan");
  CHECK(r.result() == http::status::ok);
  child.signal(SIGTERM);
  CHECK(child.wait() == 0);
  std::string err = test::read_file(sample.dir.path() / "serve-a.err");
  CHECK(err.find("\"GET /api/v1/search?q=Kazakhstan\" 200") != std::string::npos);
}

TEST_CASE("a hit names its authors and countries as the article's view does, and format=text gives plain titles",
          "[httpd][e2e]") {
  Served s;
  auto snap = s.archive->snapshot();
  REQUIRE(snap.ok());
  for (const char* ui : {"en", "tr", "ru"}) {
    INFO(ui);
    auto found = s.get_json(std::string("/api/v1/search?q=Central&type=article&size=50&ui_lang=") + ui);
    REQUIRE(found["hits"].size() >= 3);
    int with_countries = 0;
    for (const auto& hit : found["hits"]) {
      const std::string id = hit["id"];
      INFO(id);
      auto view = s.get_json("/api/v1/articles/" + id + "/view?lang=" + hit["lang"].get<std::string>() + "&ui_lang=" + ui);
      // One shape, the same members: {code, name, subject}, the subjects first.
      std::set<std::tuple<std::string, std::string, bool>> in_hit, in_view;
      bool mentioned_seen = false;
      for (const auto& c : hit["countries"]) {
        in_hit.emplace(c["code"], c["name"], c["subject"]);
        if (c["subject"] == false) mentioned_seen = true;
        else CHECK(!mentioned_seen);
      }
      for (const auto& c : view["countries"]) in_view.emplace(c["code"], c["name"], c["subject"]);
      // The hit names what the version it shows says (the view: every
      // version), so each of its countries is the view's too, and the
      // subjects (the record's) are the same.
      for (const auto& c : in_hit) CHECK(in_view.count(c));
      for (const auto& c : in_view)
        if (std::get<2>(c)) CHECK(in_hit.count(c));
      with_countries += !in_hit.empty();
      REQUIRE(hit["authors"].size() == view["authors"].size());
      for (std::size_t i = 0; i < hit["authors"].size(); ++i) {
        CHECK(hit["authors"][i]["id"] == view["authors"][i]["id"]);
        CHECK(hit["authors"][i]["name"] == view["authors"][i]["name"]);
      }
    }
    CHECK(with_countries >= 3);
  }
  // format=text: the title as the record has it, the snippet unmarked;
  // the default (html) escapes and marks. An apostrophe tells them apart.
  const std::string id = "digital-silk-road-central-asia";
  const std::string title = snap->translation(id, "en").value().title;
  REQUIRE(title.find('\'') != std::string::npos);
  auto hit_of = [&](const std::string& query) {
    auto r = s.get_json("/api/v1/search?q=Digital+Silk&type=article&prefer=en" + query);
    for (const auto& h : r["hits"])
      if (h["id"] == id) return h;
    FAIL("no hit for " << id);
    return nlohmann::json();
  };
  auto text = hit_of("&format=text");
  CHECK(text["title"] == title);
  CHECK(text["snippet"].get<std::string>().find('<') == std::string::npos);
  CHECK(text["snippet"].get<std::string>().find("&amp;") == std::string::npos);
  auto html = hit_of("");
  CHECK(html["title"].get<std::string>().find("<mark>") != std::string::npos);
  CHECK(html["title"].get<std::string>().find("&#39;") != std::string::npos);
  CHECK(s.get("/api/v1/search?q=Silk&format=markdown").result() == http::status::bad_request);
  // A feed of format=text says its titles are text.
  Reply feed = s.get("/api/v1/search.atom?q=Digital+Silk&format=text");
  REQUIRE(feed.result() == http::status::ok);
  CHECK(feed.body().find("<title type=\"text\"") != std::string::npos);
  CHECK(feed.body().find("<title type=\"html\"") == std::string::npos);
}
