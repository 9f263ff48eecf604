// A small HTTP/1.1 client for the end-to-end tests (Beast, blocking), and
// a check of every response against the OpenAPI document the server serves.
#pragma once

#include <poll.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "defter/httpd/api.hpp"
#include "defter/httpd/server.hpp"
#include "defter/schema/validate.hpp"
#include "support.hpp"

namespace defter::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Reply = http::response<http::string_body>;

// One connection to 127.0.0.1:port, kept alive across requests.
class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(io_) {
    stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    stream_.expires_after(std::chrono::seconds(30));
  }

  Reply send(http::request<http::string_body> req, bool head = false) {
    if (req[http::field::host].empty()) req.set(http::field::host, "127.0.0.1");
    if (!req.has_content_length() && !req.chunked() && !req.body().empty()) req.prepare_payload();
    stream_.expires_after(std::chrono::seconds(30));
    http::write(stream_, req);
    return read(head);
  }

  Reply read(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(1u << 30);
    parser.skip(head);
    http::read(stream_, buffer_, parser);
    return parser.release();
  }

  Reply get(const std::string& target, const std::map<std::string, std::string>& headers = {}) {
    http::request<http::string_body> req{http::verb::get, target, 11};
    for (const auto& [k, v] : headers) req.set(k, v);
    return send(std::move(req));
  }

  // Raw bytes, for requests no well-behaved client would send.
  void write_raw(const std::string& bytes) { asio::write(stream_.socket(), asio::buffer(bytes)); }

  // Whether the server closed the connection (reads until EOF or timeout).
  // (A synchronous read ignores the stream's expiry: the wait is poll's.)
  bool closed_by_server(std::chrono::seconds wait = std::chrono::seconds(5)) {
    auto until = std::chrono::steady_clock::now() + wait;
    beast::error_code ec;
    char byte;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{stream_.socket().native_handle(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      std::size_t n = stream_.read_some(asio::buffer(&byte, 1), ec);
      if (ec) return ec == asio::error::eof || ec == asio::error::connection_reset;
      if (n == 0) return false;
    }
  }

  beast::tcp_stream& stream() { return stream_; }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

// The server, in this process, on a free loopback port, until destroyed.
class RunningServer {
 public:
  explicit RunningServer(httpd::ServerOptions options) {
    options.bind = "127.0.0.1";
    options.port = 0;
    if (options.threads == 0) options.threads = 2;
    if (!options.log) options.log_format = httpd::LogFormat::kNone;
    auto s = httpd::Server::open(options);
    REQUIRE(s.ok());
    server_ = std::move(*s);
    thread_ = std::thread([this] {
      server_->run();
      done_ = true;
    });
  }
  ~RunningServer() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
  }
  // Whether run() has returned within `wait` of stop().
  bool stops_within(std::chrono::milliseconds wait) {
    server_->stop();
    auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
      if (done_) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done_;
  }
  std::uint16_t port() const { return server_->port(); }

 private:
  std::unique_ptr<httpd::Server> server_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Checks responses against the OpenAPI document: the path, method and
// status must be documented, and a JSON body must match its schema.
class OpenApi {
 public:
  OpenApi() : doc_(nlohmann::json::parse(httpd::openapi_document())) {
    for (auto name : schema::schema_names()) records_.emplace(std::string(name), nlohmann::json::parse(schema::schema_text(name)));
  }

  // "" when the response agrees with the document, else what is wrong.
  std::string check(const std::string& method, const std::string& target, const Reply& reply) {
    std::string path = target.substr(0, target.find('?'));
    const nlohmann::json* op = nullptr;
    std::string templ;
    for (const auto& [t, item] : doc_["paths"].items())
      if (matches(t, path) && item.contains(method)) {
        op = &item[method];
        templ = t;
      }
    if (!op) return method + " " + path + " is not in the document";
    std::string status = std::to_string(reply.result_int());
    if (!op->contains("responses") || !(*op)["responses"].contains(status))
      return method + " " + templ + ": status " + status + " is not documented";
    nlohmann::json response = (*op)["responses"][status];
    if (response.contains("$ref")) response = resolve(response["$ref"].get<std::string>());
    if (!response.contains("content")) return reply.body().empty() ? "" : "status " + status + " has an undocumented body";
    std::string type(reply[http::field::content_type]);
    type = type.substr(0, type.find(';'));
    if (!response["content"].contains(type)) return method + " " + templ + " " + status + ": content type " + type + " is not documented";
    if (type.find("json") == std::string::npos) return "";
    auto body = nlohmann::json::parse(reply.body(), nullptr, false);
    if (body.is_discarded()) return "the body is not JSON";
    // The document itself as the root (so that its own "#/..." references
    // resolve), asking for the response's schema.
    nlohmann::json root = doc_;
    root["allOf"] = nlohmann::json::array({{{"$ref", "#" + pointer_of(response["content"][type]["schema"], templ, method, status, type)}}});
    valijson::Schema schema;
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    auto fetch = [this](const std::string& uri) -> const nlohmann::json* {
      std::string base = uri.substr(uri.find_last_of('/') + 1);
      base = base.substr(0, base.find('#'));
      auto it = records_.find(base);
      return it == records_.end() ? nullptr : &it->second;
    };
    parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(root), schema, fetch, [](const nlohmann::json*) {});
    valijson::Validator validator;
    valijson::ValidationResults results;
    if (validator.validate(schema, valijson::adapters::NlohmannJsonAdapter(body), &results)) return "";
    std::string why;
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
      std::string where;
      for (const auto& c : e.context) where += c;
      why += where + ": " + e.description + "\n";
    }
    return method + " " + templ + " " + status + " does not match its schema:\n" + why;
  }

 private:
  static bool matches(const std::string& templ, const std::string& path) {
    auto split = [](const std::string& s) {
      std::vector<std::string> out;
      std::size_t start = 1;
      while (start <= s.size()) {
        std::size_t end = s.find('/', start);
        if (end == std::string::npos) end = s.size();
        out.push_back(s.substr(start, end - start));
        start = end + 1;
      }
      return out;
    };
    auto a = split(templ), b = split(path);
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!(a[i].size() > 2 && a[i].front() == '{' && a[i].back() == '}') && a[i] != b[i]) return false;
    return true;
  }

  nlohmann::json resolve(const std::string& ref) const {
    return doc_.at(nlohmann::json::json_pointer(ref.substr(1)));
  }

  // A JSON pointer into the document to the schema of a response.
  std::string pointer_of(const nlohmann::json& schema, const std::string& templ, const std::string& method,
                         const std::string& status, const std::string& type) const {
    if (schema.contains("$ref") && schema["$ref"].get<std::string>().rfind("#/", 0) == 0)
      return schema["$ref"].get<std::string>().substr(1);
    auto escape = [](std::string s) {
      std::string out;
      for (char c : s) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
      return out;
    };
    const auto& response = doc_["paths"][templ][method]["responses"][status];
    if (response.contains("$ref"))
      return response["$ref"].get<std::string>().substr(1) + "/content/" + escape(type) + "/schema";
    return "/paths/" + escape(templ) + "/" + method + "/responses/" + status + "/content/" + escape(type) + "/schema";
  }

  nlohmann::json doc_;
  std::map<std::string, nlohmann::json> records_;
};

// A new write token in the archive of `data`, made by `defter token create`.
inline std::string write_token(const std::filesystem::path& data, const std::string& name = "ingest") {
  auto created = defter(data.string(), {"token", "create", "--name", name});
  REQUIRE(created.exit_code == 0);
  std::string token = created.out.substr(0, created.out.find('\n'));
  REQUIRE(token.rfind("dft_", 0) == 0);
  return token;
}

}  // namespace defter::test
