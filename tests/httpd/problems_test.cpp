// The one mapping from a library's failure to the problem that answers it:
// the caller's own mistakes with their message, the environment's failures
// with a fixed detail (their message, which may name paths of the machine,
// only for the log), a 500 with a request id its log line also carries.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <set>

#include "problems.hpp"

using namespace defter;
using namespace defter::httpd;
namespace http = boost::beast::http;

TEST_CASE("a Status becomes the problem its code says, and only the caller's own message is sent", "[httpd][problems]") {
  struct Case {
    Code code;
    http::status status;
    bool message_sent;
    bool logged;
  };
  const std::string secret = "/srv/defter/archive/data.mdb: Input/output error";
  for (const Case& c : {Case{Code::kInvalidArgument, http::status::bad_request, true, false},
                        Case{Code::kNotFound, http::status::not_found, true, false},
                        Case{Code::kConflict, http::status::conflict, true, false},
                        Case{Code::kTimeout, http::status::service_unavailable, false, false},
                        Case{Code::kStorageFull, http::status::insufficient_storage, false, true},
                        Case{Code::kReadOnly, http::status::service_unavailable, false, true},
                        Case{Code::kLocked, http::status::service_unavailable, false, true},
                        Case{Code::kIOError, http::status::service_unavailable, false, true},
                        Case{Code::kCorruption, http::status::internal_server_error, false, true},
                        Case{Code::kUnsupported, http::status::internal_server_error, false, true}}) {
    INFO(code_name(c.code));
    std::string log, id;
    Response res = detail::failure_response(Status(c.code, secret), std::chrono::milliseconds(3000), log, id);
    CHECK(res.result() == c.status);
    CHECK(res[http::field::content_type] == "application/problem+json");
    auto body = nlohmann::json::parse(res.body());
    CHECK(body["status"] == static_cast<int>(c.status));
    CHECK((body["detail"] == secret) == c.message_sent);
    CHECK((res.body().find("/srv/defter") != std::string::npos) == c.message_sent);
    CHECK((log == secret) == c.logged);
    CHECK(log.empty() == !c.logged);
    if (c.code == Code::kTimeout) {
      CHECK(res[http::field::retry_after] == "1");
      CHECK(body["detail"].get<std::string>().find("budget of 3000 ms") != std::string::npos);
    }
    bool internal = c.status == http::status::internal_server_error;
    CHECK(id.empty() == !internal);
    if (internal) {
      CHECK(body["request_id"] == id);
      CHECK(res["X-Request-Id"] == id);
      CHECK(body["detail"].get<std::string>().find(id) != std::string::npos);
      CHECK(body["type"] == "/api/v1/problems/internal");
    } else {
      CHECK_FALSE(body.contains("request_id"));
    }
  }
}

TEST_CASE("request ids are 16 hex digits and do not repeat", "[httpd][problems]") {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    std::string id = detail::new_request_id();
    REQUIRE(id.size() == 16);
    REQUIRE(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    REQUIRE(seen.insert(id).second);
  }
}

TEST_CASE("the problem table: every problem has its status and a type of its own", "[httpd][problems]") {
  std::set<std::string> types;
  for (Problem p : {Problem::kBadRequest, Problem::kUnauthorized, Problem::kForbidden, Problem::kNotFound,
                    Problem::kMethodNotAllowed, Problem::kConflict, Problem::kLengthRequired, Problem::kPayloadTooLarge,
                    Problem::kUriTooLong, Problem::kHeadersTooLarge, Problem::kNotImplemented, Problem::kTooManyRequests,
                    Problem::kUnavailable, Problem::kInternal, Problem::kStorageFull}) {
    CHECK(types.insert(problem_type(p)).second);
    Response res = problem(p, "why");
    CHECK(res.result() == problem_status(p));
    CHECK(static_cast<int>(problem_status(p)) >= 400);
  }
}
