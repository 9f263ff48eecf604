// Hostile requests, from a table: each gets its status in time, and the server goes on serving others.
#include "served.hpp"

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
