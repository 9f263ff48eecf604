// The HTTP API end to end: the real server on a free loopback port over the
// sample archive, every endpoint and error status, each response checked
// against the OpenAPI document the server serves.
#include <signal.h>
#include <sys/resource.h>
#include <zlib.h>

#include <fstream>
#include <set>
#include <sstream>

#include <algorithm>
#include <atomic>
#include <cctype>

#include "client.hpp"
#include "defter/httpd/tokens.hpp"
#include "sample.hpp"
#include "support.hpp"

using namespace defter;
using test::Client;
using test::Reply;
using test::write_token;
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
namespace http = boost::beast::http;

namespace {

const std::string kSeed = test::kSeed;

// The promise: an API write is searchable within a second. Under
// AddressSanitizer everything runs several times slower; there the bound
// is five (the release build, which CI also runs, checks the promise).
// (gcc says so with __SANITIZE_ADDRESS__, clang 14 with __has_feature.)
#if defined(__SANITIZE_ADDRESS__)
#define DEFTER_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEFTER_UNDER_ASAN 1
#endif
#endif
#if defined(DEFTER_UNDER_ASAN)
constexpr std::chrono::milliseconds kSearchableWithin{5000};
#else
constexpr std::chrono::milliseconds kSearchableWithin{1000};
#endif

struct Served : test::Sample {
  std::ostringstream log;
  test::OpenApi openapi;
  std::unique_ptr<test::RunningServer> server;

  explicit Served(httpd::ServerOptions o = {}) {
    o.data = dir.path();
    o.archive = archive.get();  // one LMDB environment per process
    o.log = &log;
    o.log_format = httpd::LogFormat::kText;
    server = std::make_unique<test::RunningServer>(o);
  }

  // GET on a new connection, checked against the document.
  Reply get(const std::string& target, const std::map<std::string, std::string>& headers = {}, bool documented = true) {
    Client c(server->port());
    Reply r = c.get(target, headers);
    INFO("GET " << target << " -> " << r.result_int() << " " << r.body().substr(0, 300));
    if (documented && r.result() != http::status::not_modified && r[http::field::content_encoding].empty())
      CHECK(openapi.check("get", target, r) == "");
    return r;
  }
  nlohmann::json get_json(const std::string& target) {
    Reply r = get(target);
    REQUIRE(r.result() == http::status::ok);
    return nlohmann::json::parse(r.body());
  }
};

// The problem document of a reply, checked for its shape.
nlohmann::json problem_of(const Reply& r) {
  REQUIRE(r[http::field::content_type] == "application/problem+json");
  auto j = nlohmann::json::parse(r.body());
  CHECK(j["status"] == r.result_int());
  CHECK(j["type"].get<std::string>().rfind("/api/v1/problems/", 0) == 0);
  return j;
}

std::string gunzip(const std::string& in) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  std::string out;
  char buf[65536];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&z);
  REQUIRE(rc == Z_STREAM_END);
  return out;
}

}  // namespace

TEST_CASE("search answers with hits, facets and the query as understood", "[httpd][e2e]") {
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

TEST_CASE("suggest, articles, authors, facets, stats and the OpenAPI document", "[httpd][e2e]") {
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

  auto stats = s.get_json("/api/v1/stats");
  CHECK(stats["articles"].get<int>() > 0);
  CHECK(stats["index"]["documents"].get<int>() > 0);

  auto doc = s.get_json("/api/v1/openapi.json");
  CHECK(doc["openapi"] == "3.1.0");
  CHECK(doc["paths"].contains("/api/v1/search"));

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
    CHECK(page.body().find("<script src=\"/static/app.js\" defer></script>") != std::string::npos);
    CHECK(std::string(page["Content-Security-Policy"]).find("script-src 'self'") != std::string::npos);
  }
  Reply js = s.get("/static/app.js", {}, false);
  REQUIRE(js.result() == http::status::ok);
  CHECK(js[http::field::content_type] == "text/javascript; charset=utf-8");
  CHECK(js.body() == test::read_file(test::source_dir() / "httpd" / "web" / "app.js"));
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
  expect("/api/v1/articles/no-such-article", http::status::not_found, "no article \"no-such-article\"");
  expect("/api/v1/articles/" + kSeed + "?lang=de", http::status::not_found, "no translation \"de\"");
  expect("/api/v1/authors/nobody", http::status::not_found, "no author \"nobody\"");
  expect("/api/v1/search?page=0", http::status::bad_request, "\"page\"");
  expect("/api/v1/search?size=51", http::status::bad_request, "\"size\" must be a whole number from 1 to 50");
  expect("/api/v1/search?sort=best", http::status::bad_request, "\"sort\"");
  expect("/api/v1/search?contry=KZ", http::status::bad_request, "unknown parameter \"contry\"");
  expect("/api/v1/search?q=%zz", http::status::bad_request, "\"q\" has a bad percent-encoding");
  expect("/api/v1/search?q=%ff%fe", http::status::bad_request, "\"q\" has a bad percent-encoding or is not UTF-8");
  expect("/api/v1/search?year=20x4", http::status::bad_request, "filter year");
  expect("/api/v1/search?facets=colour", http::status::bad_request, "\"colour\" is not a facet");
  expect("/api/v1/suggest", http::status::bad_request, "\"q\" is required");
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
  // 411: a body with no length.
  {
    Client c(s.server->port());
    c.write_raw("POST /api/v1/search HTTP/1.1\r\nHost: x\r\n\r\n");
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

TEST_CASE("too many connections get 503, too many requests 429, no index 503", "[httpd][e2e]") {
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

TEST_CASE("pipelined requests are answered in order", "[httpd][e2e]") {
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

TEST_CASE("a stalled or trickling client is cut off and holds no thread", "[httpd][e2e]") {
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

TEST_CASE("stop closes idle connections, finishes what is in flight and returns", "[httpd][e2e]") {
  Served s;
  Client idle(s.server->port());
  CHECK(idle.get("/healthz").result() == http::status::ok);  // kept alive, now idle
  CHECK(s.server->stops_within(std::chrono::seconds(5)));
  CHECK(idle.closed_by_server());
}

using test::ServeProcess;

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

namespace {

// A request with a body and a token, checked against the document.
Reply call(Served& s, http::verb method, const std::string& target, const std::string& token, const std::string& body = "") {
  Client c(s.server->port());
  http::request<http::string_body> req{method, target, 11};
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (method == http::verb::put || method == http::verb::post) {
    req.set(http::field::content_type, method == http::verb::post ? "application/x-ndjson" : "application/json");
    req.body() = body;
    req.prepare_payload();
  }
  Reply r = c.send(std::move(req));
  std::string m(http::to_string(method));
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  INFO(m << " " << target << " -> " << r.result_int() << " " << r.body().substr(0, 300));
  CHECK(s.openapi.check(m, target, r) == "");
  return r;
}

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

TEST_CASE("writes with a write token: put, replace, delete, searchable within a second", "[httpd][e2e]") {
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

TEST_CASE("the README's curl examples work as written", "[httpd][e2e]") {
  // Each URL of a `curl '...'` line in the README, on the sample archive
  // (the demo's), with the test server's port for 8080.
  Served s;
  std::string readme = test::read_file(test::source_dir() / "README.md");
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
  // | --data-binary @FILE] URL`, in order, with a token of this archive.
  std::string token = httpd::create_token(*s.archive, "readme", httpd::Scope::kWrite).value();
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
    http::verb verb = method == "PUT" ? http::verb::put : method == "POST" ? http::verb::post : http::verb::delete_;
    Reply r = call(s, verb, target, token, body);
    INFO(line);
    CHECK(r.result_int() / 100 == 2);
    ++writes;
  }
  CHECK(writes == 4);
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

TEST_CASE("hostile requests get their status in time, and the server goes on serving others", "[httpd][e2e][hostile]") {
  httpd::ServerOptions o;
  o.max_body_bytes = 1 << 20;
  o.request_timeout = std::chrono::milliseconds(1500);
  o.idle_timeout = std::chrono::milliseconds(3000);
  o.max_connections = 4000;
  Served s(o);
  // Writes are authorised before their body is read: the cases about a
  // body carry a valid token, so that it is their body that is judged.
  const std::string auth = "Authorization: Bearer " + test::write_token(s.dir.path()) + "\r\n";
  using Clock = std::chrono::steady_clock;
  struct Case {
    const char* what;
    std::string bytes;
    int status;  // 0: the server closes the connection without an answer
  };
  std::vector<Case> cases = {
      {"an unknown method", "BREW /api/v1/search HTTP/1.1\r\nHost: x\r\n\r\n", 405},
      {"a method that is not a token", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"not HTTP", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400},
      {"HTTP/2's preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400},
      {"a bad percent-encoding in the path", "GET /api/v1/articles/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"invalid UTF-8 in the path", "GET /api/v1/articles/%c3%28 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"a raw byte 0xff in a parameter", "GET /api/v1/search?q=\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"an overlong UTF-8 slash", "GET /static/%c0%af..%c0%afetc HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"a NUL in the path", "GET /static/app.js%00.png HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"traversal out of the static files", "GET /static/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"encoded traversal", "GET /static/%2e%2e%2f%2e%2e%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"a relative target", "GET static/app.js HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"an absolute URL with another host", "GET http://evil.example/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"a 100 KB header", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100000, 'a') + "\r\n\r\n", 431},
      {"a 20 KB target", "GET /api/v1/search?q=" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
      {"a 100 MB body announced", "PUT /api/v1/authors/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n", 413},
      {"a negative length", "PUT /api/v1/authors/x HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
      {"two lengths", "PUT /api/v1/authors/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
      {"a bad chunk", "PUT /api/v1/authors/x HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"a body that never ends", "PUT /api/v1/authors/x HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 1000\r\n\r\n{\"na", 0},
      {"a body without a token is never read", "PUT /api/v1/authors/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"na", 401},
      {"Transfer-Encoding not ending in chunked, with a length",
       "PUT /api/v1/authors/x HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked, identity\r\nContent-Length: 2\r\n\r\n{}", 400},
      {"Transfer-Encoding and Content-Length", "PUT /api/v1/authors/x HTTP/1.1\r\nHost: x\r\n" + auth +
                                                   "Transfer-Encoding: chunked\r\nContent-Length: 7\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400},
      {"a transfer coding other than chunked", "PUT /api/v1/authors/x HTTP/1.1\r\nHost: x\r\n" + auth +
                                                   "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 501},
      {"HTTP/1.1 without Host", "GET /healthz HTTP/1.1\r\n\r\n", 400},
      {"two Host headers", "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400},
      {"two Authorization headers", "DELETE /api/v1/authors/x HTTP/1.1\r\nHost: x\r\n" + auth + auth + "\r\n", 400},
      {"headers that never end", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n", 0},
      {"a write without a token", "DELETE /api/v1/authors/x HTTP/1.1\r\nHost: x\r\n\r\n", 401},
      {"a write with a forged token", "DELETE /api/v1/authors/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dft_" +
                                          std::string(64, '0') + "\r\n\r\n", 401},
      {"page 1,000,000", "GET /api/v1/search?q=Kazakhstan&page=1000000 HTTP/1.1\r\nHost: x\r\n\r\n", 200},
      {"a wildcard on one letter", "GET /api/v1/search?q=a*+b*+c*+d*+e* HTTP/1.1\r\nHost: x\r\n\r\n", 200},
  };
  {
    std::string ors = "GET /api/v1/search?q=";
    for (int i = 0; i < 1000; ++i) ors += (i ? "+OR+w" : "w") + std::to_string(i);
    cases.push_back({"a thousand OR terms", ors + " HTTP/1.1\r\nHost: x\r\n\r\n", 200});
    // Under concurrency, and past a budget: hardening_test.cpp.
    std::string phrases = "GET /api/v1/search?q=";
    const char* words[] = {"china", "central", "asia", "summit", "water", "kazakhstan", "trade", "energy"};
    for (int i = 0; i < 32; ++i) phrases += std::string(i ? "+OR+" : "") + "%22" + words[i % 8] + "+" + words[(i * 3 + 1) % 8] + "%22";
    cases.push_back({"32 two-word phrases joined by OR", phrases + " HTTP/1.1\r\nHost: x\r\n\r\n", 200});
  }
  int tried = 0;
  for (const auto& c : cases) {
    INFO(c.what);
    Client client(s.server->port());
    auto start = Clock::now();
    beast::error_code ec;
    asio::write(client.stream().socket(), asio::buffer(c.bytes), ec);  // the server may close before reading it all
    client.stream().expires_after(std::chrono::seconds(10));
    http::response_parser<http::string_body> parser;
    parser.body_limit(1u << 24);
    beast::flat_buffer buffer;
    http::read(client.stream(), buffer, parser, ec);
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (c.status == 0) {
      // Cut off by the request timeout (1.5 s), with or without a 4xx/5xx.
      CHECK((ec || parser.get().result_int() >= 400));
      CHECK(seconds < 4);
    } else {
      REQUIRE(!ec);
      CHECK(static_cast<int>(parser.get().result_int()) == c.status);
      CHECK(seconds < 3);
      if (c.status >= 400) {
        CHECK(parser.get().body().find("/work") == std::string::npos);  // no path of the machine
        CHECK(parser.get().body().find("passwd") == std::string::npos);
      }
    }
    ++tried;
    // Another client is served meanwhile, every time.
    CHECK(s.get("/api/v1/search?q=Kazakhstan&size=1").result() == http::status::ok);
  }
  CHECK(tried == static_cast<int>(cases.size()));
  // A pipelined flood: 2,000 requests written at once, all answered in order.
  {
    Client c(s.server->port());
    std::string flood;
    for (int i = 0; i < 2000; ++i) flood += "GET /healthz?n=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    std::thread sender([&] { c.write_raw(flood); });
    int answered = 0;
    for (int i = 0; i < 2000; ++i) {
      Reply r = c.read();
      if (r.result() != http::status::ok) break;
      ++answered;
    }
    sender.join();
    CHECK(answered == 2000);
  }
  // 2,000 idle connections (both ends in this process: as many as its file
  // limit allows): the server still answers, and lets them go after the
  // idle timeout.
  {
    rlimit files{};
    ::getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
    ::getrlimit(RLIMIT_NOFILE, &files);
    const int want = static_cast<int>(std::min<rlim_t>(2000, (files.rlim_cur - 200) / 2));
    INFO("idle connections: " << want);
    CHECK(want >= 400);
    asio::io_context io;
    std::vector<std::unique_ptr<tcp::socket>> idle;
    for (int i = 0; i < want; ++i) {
      auto sock = std::make_unique<tcp::socket>(io);
      beast::error_code ec;
      sock->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.server->port()), ec);
      if (!ec) idle.push_back(std::move(sock));
    }
    CHECK(static_cast<int>(idle.size()) == want);
    CHECK(s.get("/api/v1/search?q=Kazakhstan&size=1").result() == http::status::ok);
    std::this_thread::sleep_for(std::chrono::milliseconds(4500));
    int closed = 0;
    for (auto& sock : idle) {
      char byte;
      beast::error_code ec;
      sock->non_blocking(true);
      sock->read_some(asio::buffer(&byte, 1), ec);
      if (ec == asio::error::eof || ec == asio::error::connection_reset) ++closed;
    }
    CHECK(closed == want);
  }
  CHECK(s.get("/readyz").result() == http::status::ok);
}
