// What the server's end-to-end tests share: the sample archive served on a
// free loopback port (Served), problem documents, gunzip, the time bound
// of an API write.
#pragma once

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
using test::ServeProcess;
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
namespace http = boost::beast::http;

namespace served_test {


inline const std::string kSeed = test::kSeed;

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
inline constexpr std::chrono::milliseconds kSearchableWithin{5000};
#else
inline constexpr std::chrono::milliseconds kSearchableWithin{1000};
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
inline nlohmann::json problem_of(const Reply& r) {
  REQUIRE(r[http::field::content_type] == "application/problem+json");
  auto j = nlohmann::json::parse(r.body());
  CHECK(j["status"] == r.result_int());
  CHECK(j["type"].get<std::string>().rfind("/api/v1/problems/", 0) == 0);
  return j;
}

inline std::string gunzip(const std::string& in) {
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

// A request with a body and a token, checked against the document.
inline Reply call(Served& s, http::verb method, const std::string& target, const std::string& token, const std::string& body = "") {
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

}  // namespace served_test

using namespace served_test;
