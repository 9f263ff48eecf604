// The server against what an attacker or bad luck sends, on the real
// binary: bodies nested past the limit, bodies declared without a token,
// Expect: 100-continue, expensive searches beside cheap requests and past
// their budget, /metrics behind the read token and its bounded labels.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "client.hpp"
#include "sample.hpp"
#include "support.hpp"

using namespace defter;
using nlohmann::json;
using test::Client;
using test::Reply;
namespace http = boost::beast::http;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const fs::path kSample = test::source_dir() / "tools" / "sample";

// A data directory holding the sample archive (and `extra` files), indexed,
// and a write token.
struct Data {
  test::TempDir dir;
  fs::path path = dir.path() / "data";
  std::string token;
  explicit Data(const std::vector<fs::path>& extra = {}) {
    std::vector<std::string> args{"import"};
    for (const char* f : {"10-authors.jsonl", "20-articles.jsonl", "30-translations.jsonl"}) args.push_back((kSample / f).string());
    for (const auto& f : extra) args.push_back(f.string());
    auto imported = test::defter(path.string(), args);
    INFO(imported.err);
    REQUIRE(imported.exit_code == 0);
    token = test::write_token(path, "hardening");
  }
};

// The resident memory of a process, in KiB.
long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

Reply put(std::uint16_t port, const std::string& target, const std::string& token, const std::string& body) {
  Client c(port);
  http::request<http::string_body> req{http::verb::put, target, 11};
  req.set(http::field::authorization, "Bearer " + token);
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  return c.send(std::move(req));
}

// Reads what the server sends until `until` appears or the connection ends.
std::string read_until(Client& c, const std::string& until, std::chrono::seconds wait = std::chrono::seconds(10)) {
  std::string got;
  c.stream().expires_after(wait);
  char buf[4096];
  boost::beast::error_code ec;
  while (got.find(until) == std::string::npos) {
    std::size_t n = c.stream().read_some(boost::asio::buffer(buf), ec);
    if (ec) break;
    got.append(buf, n);
  }
  return got;
}

}  // namespace

TEST_CASE("a PUT nested 100,000 deep is refused and the server goes on, at 64 levels it goes in",
          "[httpd][e2e][hostile][limit]") {
  Data d;
  test::ServeProcess serve(d.path, "deep");
  REQUIRE(serve.port != 0);
  auto body = [](std::size_t depth) {
    return R"({"name":"Deep","x":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
  };
  for (std::size_t depth : {100000u, 65u}) {
    INFO("depth " << depth);
    Reply r = put(serve.port, "/api/v1/authors/deep", d.token, body(depth));
    CHECK(r.result() == http::status::bad_request);
    CHECK_THAT(r.body(), Catch::Contains("nested deeper than 64 levels"));
  }
  // Inside the limit: the record (its own level and 63 more) goes in, its unknown field dropped with a warning.
  Reply ok = put(serve.port, "/api/v1/authors/deep", d.token, body(63));
  INFO(ok.body());
  CHECK(ok.result() == http::status::created);
  CHECK_THAT(ok.body(), Catch::Contains("unknown field"));
  // A field the path contradicts is named, not echoed whole.
  Reply other = put(serve.port, "/api/v1/authors/deep", d.token, R"({"id":[[[[1]]]],"name":"x"})");
  CHECK(other.result() == http::status::bad_request);
  CHECK_THAT(other.body(), Catch::Contains("field id: a JSON array differs"));
  // NUL: what follows it is not ignored.
  std::string nul = R"({"name":"x"})";
  nul += '\0';
  nul += R"({"evil":1})";
  Reply n = put(serve.port, "/api/v1/authors/nul", d.token, nul);
  CHECK(n.result() == http::status::bad_request);
  CHECK_THAT(n.body(), Catch::Contains("NUL byte"));
  // A key given twice: the last value, with a warning naming it.
  Reply twice = put(serve.port, "/api/v1/authors/twice", d.token, R"({"name":"First","name":"Second"})");
  CHECK(twice.result() == http::status::created);
  CHECK_THAT(twice.body(), Catch::Contains("\"field\":\"name\"") && Catch::Contains("more than once"));
  CHECK(json::parse(Client(serve.port).get("/api/v1/authors/twice").body())["name"] == "Second");
  CHECK(Client(serve.port).get("/healthz").result() == http::status::ok);
  serve.child->signal(SIGTERM);
  CHECK(serve.child->wait() == 0);
}

TEST_CASE("a body is read only after its header is authorised, Expect: 100-continue is answered",
          "[httpd][e2e][hostile]") {
  Data d;
  test::ServeProcess serve(d.path, "body");
  REQUIRE(serve.port != 0);
  long before = rss_kib(serve.child->pid());
  // Eight connections declaring 60 MB each, without a token, sending no body:
  // each is answered 401 at once, and closed, with nothing read.
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<Client>(serve.port));
    clients.back()->write_raw("PUT /api/v1/authors/big" + std::to_string(i) +
                              " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000000\r\n\r\n{\"name\":\"");
  }
  for (auto& c : clients) {
    auto start = Clock::now();
    Reply r = c->read();
    CHECK(r.result() == http::status::unauthorized);
    CHECK(!r.keep_alive());
    CHECK(std::chrono::duration<double>(Clock::now() - start).count() < 5);
    CHECK(c->closed_by_server());
  }
  long after = rss_kib(serve.child->pid());
  INFO("RSS " << before << " KiB before, " << after << " KiB after");
  CHECK(after - before < 32 * 1024);  // nowhere near the 480 MB declared
  // With a read-only token the answer is 403, again before any body.
  {
    auto made = test::defter(d.path.string(), {"token", "create", "--name", "reader", "--scope", "read"});
    REQUIRE(made.exit_code == 0);
    std::string reader = made.out.substr(0, made.out.find('\n'));
    Client c(serve.port);
    c.write_raw("PUT /api/v1/authors/big HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + reader +
                "\r\nContent-Length: 60000000\r\n\r\n");
    CHECK(c.read().result() == http::status::forbidden);
  }
  // Expect: 100-continue with a valid token: 100 first, then the body, then 201.
  {
    Client c(serve.port);
    std::string body = R"({"name":"Continued"})";
    c.write_raw("PUT /api/v1/authors/continued HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + d.token +
                "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n\r\n");
    std::string interim = read_until(c, "\r\n\r\n");
    CHECK_THAT(interim, Catch::StartsWith("HTTP/1.1 100 Continue\r\n"));
    c.write_raw(body);
    CHECK(c.read().result() == http::status::created);
  }
  // Without a token: the final answer, no 100.
  {
    Client c(serve.port);
    c.write_raw("PUT /api/v1/authors/refused HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n");
    std::string answer = read_until(c, "\r\n\r\n");
    CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 401 "));
  }
  // A body on a route that takes none: answered from the header, then closed.
  {
    Client c(serve.port);
    c.write_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n");
    Reply r = c.read();
    CHECK(r.result() == http::status::ok);
    CHECK(c.closed_by_server());
  }
  serve.child->signal(SIGTERM);
  CHECK(serve.child->wait() == 0);
}

TEST_CASE("expensive searches run beside health checks and articles, each within its budget", "[httpd][e2e][hostile]") {
  test::TempDir corpus;
  auto file = corpus.path() / "corpus.jsonl";
  test::generate_corpus(file, 800, 200, 5, "load");
  Data d({file});
  // The expensive query: 32 two-word phrases of the corpus's own English text, joined by OR.
  std::string query;
  {
    std::ifstream in(file);
    std::vector<std::string> words;
    for (std::string line; std::getline(in, line) && words.size() < 64;) {
      json j = json::parse(line);
      if (j["type"] != "article" || !j["translations"].contains("en")) continue;
      std::istringstream body(j["translations"]["en"]["body"].get<std::string>());
      for (std::string w; body >> w && words.size() < 64;)
        if (w.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos && w.size() > 2) words.push_back(w);
    }
    REQUIRE(words.size() == 64);
    for (std::size_t i = 0; i < 64; i += 2) query += (i ? "%20OR%20" : "") + std::string("%22") + words[i] + "%20" + words[i + 1] + "%22";
  }
  const std::string expensive = "/api/v1/search?q=" + query + "&size=20";
  {
    // Four clients looping on it hold up nothing else.
    test::ServeProcess serve(d.path, "busy", {"--threads", "2", "--search-threads", "2", "--search-timeout", "5"});
    REQUIRE(serve.port != 0);
    std::atomic<bool> stop{false};
    std::atomic<int> searched{0}, bad{0};
    std::vector<std::thread> load;
    for (int i = 0; i < 4; ++i)
      load.emplace_back([&] {
        Client c(serve.port);
        while (!stop) {
          Reply r = c.get(expensive);
          if (r.result() == http::status::ok) ++searched;
          else if (r.result() != http::status::service_unavailable) ++bad;
        }
      });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::vector<double> waits;
    Client probe(serve.port);
    for (int i = 0; i < 40; ++i) {
      for (const char* target : {"/healthz", "/api/v1/articles/china-central-asia-c5-summit-2023"}) {
        auto start = Clock::now();
        Reply r = probe.get(target);
        waits.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        CHECK(r.result() == http::status::ok);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    stop = true;
    for (auto& t : load) t.join();
    std::sort(waits.begin(), waits.end());
    double median = waits[waits.size() / 2];
    INFO("health and article waits under load: median " << median << " ms, max " << waits.back() << " ms; "
                                                         << searched << " expensive searches answered");
    CHECK(searched > 0);
    CHECK(bad == 0);
    // Before searches had threads of their own the median was seconds.
    CHECK(median < 250);
    serve.child->signal(SIGTERM);
    CHECK(serve.child->wait() == 0);
  }
  {
    // Past its budget a search is 503 with Retry-After; within it, 200.
    test::ServeProcess serve(d.path, "budget", {"--search-timeout", "0.001"});
    REQUIRE(serve.port != 0);
    Reply r = Client(serve.port).get(expensive);
    INFO(r.body());
    CHECK(r.result() == http::status::service_unavailable);
    CHECK(r[http::field::retry_after] == "1");
    CHECK_THAT(r.body(), Catch::Contains("longer than its budget of 1 ms"));
    CHECK(Client(serve.port).get("/healthz").result() == http::status::ok);
    serve.child->signal(SIGTERM);
    CHECK(serve.child->wait() == 0);
  }
  test::ServeProcess roomy(d.path, "roomy", {"--search-timeout", "30"});
  REQUIRE(roomy.port != 0);
  CHECK(Client(roomy.port).get(expensive).result() == http::status::ok);
  roomy.child->signal(SIGTERM);
  CHECK(roomy.child->wait() == 0);
}

TEST_CASE("/metrics needs the read token when reads do, and names at most 32 languages", "[httpd][e2e][limit]") {
  // An article in 40 languages: 40 language series would be 40 metrics.
  test::TempDir extra;
  json article = {{"type", "article"}, {"id", "many-languages"}, {"published", "2024"},
                  {"authors", {"dogacan-basaran"}}, {"original_language", "en"}, {"translations", json::object()}};
  const char* regions[] = {"AD", "AE", "AF", "AG", "AL", "AM", "AO", "AR", "AT", "AU", "AZ", "BA", "BB", "BD",
                           "BE", "BF", "BG", "BH", "BI", "BJ", "BN", "BO", "BR", "BS", "BT", "BW", "BY", "BZ",
                           "CA", "CD", "CF", "CG", "CH", "CI", "CL", "CM", "CN", "CO", "CR", "CU"};
  for (const char* r : regions) article["translations"][std::string("en-") + r] = {{"title", "Many"}, {"body", "Text"}};
  test::write_file(extra.path() / "many.jsonl", article.dump() + "\n");
  Data d({extra.path() / "many.jsonl"});
  test::ServeProcess serve(d.path, "metrics", {"--require-read-token"});
  REQUIRE(serve.port != 0);
  CHECK(Client(serve.port).get("/metrics").result() == http::status::unauthorized);
  CHECK(Client(serve.port).get("/metric%73").result() == http::status::unauthorized);
  Reply r = Client(serve.port).get("/metrics", {{"Authorization", "Bearer " + d.token}});
  REQUIRE(r.result() == http::status::ok);
  std::size_t series = 0;
  std::istringstream lines(r.body());
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("defter_index_documents{", 0) == 0) ++series;
  CHECK(series == 33);  // 32 languages and "other"
  CHECK_THAT(r.body(), Catch::Contains("defter_index_documents{lang=\"other\"}"));
  serve.child->signal(SIGTERM);
  CHECK(serve.child->wait() == 0);
}

TEST_CASE("a connection still busy when the shutdown grace runs out is closed, not kept", "[httpd][e2e][fault]") {
  test::Sample sample;
  httpd::ServerOptions o;
  o.data = sample.dir.path();
  o.archive = sample.archive.get();
  o.shutdown_grace = std::chrono::milliseconds(200);
  auto server = std::make_unique<test::RunningServer>(o);
  // Half a request, then nothing: the session waits for the rest.
  Client stalled(server->port());
  stalled.write_raw("GET /api/v1/search?q=Kazakhstan HTTP/1.1\r\nHost: x\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(server->stops_within(std::chrono::seconds(5)));
  server.reset();  // the server's state goes: every connection it held is closed
  CHECK(stalled.closed_by_server(std::chrono::seconds(2)));
}
