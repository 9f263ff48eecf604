#include "problems.hpp"

#include <atomic>
#include <cstdio>
#include <random>

#include <nlohmann/json.hpp>

namespace defter::httpd {

namespace detail {

ProblemInfo info(Problem p) {
  switch (p) {
    case Problem::kBadRequest: return {http::status::bad_request, "bad-request", "Bad request"};
    case Problem::kUnauthorized: return {http::status::unauthorized, "unauthorized", "Unauthorized"};
    case Problem::kForbidden: return {http::status::forbidden, "forbidden", "Forbidden"};
    case Problem::kNotFound: return {http::status::not_found, "not-found", "Not found"};
    case Problem::kMethodNotAllowed: return {http::status::method_not_allowed, "method-not-allowed", "Method not allowed"};
    case Problem::kConflict: return {http::status::conflict, "conflict", "Conflict"};
    case Problem::kStorageFull: return {http::status::insufficient_storage, "storage-full", "Insufficient storage"};
    case Problem::kLengthRequired: return {http::status::length_required, "length-required", "Length required"};
    case Problem::kPayloadTooLarge: return {http::status::payload_too_large, "payload-too-large", "Payload too large"};
    case Problem::kUriTooLong: return {http::status::uri_too_long, "uri-too-long", "URI too long"};
    case Problem::kHeadersTooLarge:
      return {http::status::request_header_fields_too_large, "headers-too-large", "Request header fields too large"};
    case Problem::kNotImplemented: return {http::status::not_implemented, "not-implemented", "Not implemented"};
    case Problem::kTooManyRequests: return {http::status::too_many_requests, "too-many-requests", "Too many requests"};
    case Problem::kUnavailable: return {http::status::service_unavailable, "unavailable", "Service unavailable"};
    case Problem::kInternal: return {http::status::internal_server_error, "internal", "Internal server error"};
  }
  return {http::status::internal_server_error, "internal", "Internal server error"};
}

Response problem_with(Problem p, const std::string& detail, const nlohmann::json& extra, unsigned version, bool keep_alive) {
  ProblemInfo i = info(p);
  nlohmann::json body = {{"type", problem_type(p)}, {"title", i.title}, {"status", static_cast<int>(i.status)}, {"detail", detail}};
  body.update(extra);
  Response res{i.status, version};
  res.set(http::field::content_type, "application/problem+json");
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

Response failure_response(const Status& st, std::chrono::milliseconds search_budget, std::string& log,
                          std::string& request_id) {
  log.clear();
  request_id.clear();
  switch (st.code()) {
    case Code::kInvalidArgument: return problem(Problem::kBadRequest, st.message());
    case Code::kNotFound: return problem(Problem::kNotFound, st.message());
    case Code::kConflict: return problem(Problem::kConflict, st.message());
    case Code::kTimeout: {
      // The client's query, not the server's failure: not logged.
      Response res = problem(Problem::kUnavailable, "the search took longer than its budget of " +
                                                        std::to_string(search_budget.count()) +
                                                        " ms; narrow it (fewer alternatives or phrases, a filter) and try again");
      res.set(http::field::retry_after, "1");
      return res;
    }
    default: break;
  }
  log = st.message();
  switch (st.code()) {
    case Code::kStorageFull:
      return problem(Problem::kStorageFull, "the archive's disk is full; nothing of this request was written");
    case Code::kReadOnly:
      return problem(Problem::kUnavailable, "the archive is read-only; nothing of this request was written");
    case Code::kLocked:
    case Code::kIOError:
      return problem(Problem::kUnavailable, "the archive or the index could not be read or written; the server log has the detail");
    default:
      request_id = new_request_id();
      return internal_error(request_id);
  }
}

Response internal_error(const std::string& request_id) {
  Response res = problem_with(Problem::kInternal, "an unexpected error; the server log has the detail (request " + request_id + ")",
                              {{"request_id", request_id}}, 11, true);
  res.set("X-Request-Id", request_id);
  return res;
}

std::string new_request_id() {
  static const std::uint32_t process = std::random_device{}();
  static std::atomic<std::uint32_t> next{0};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", process, next.fetch_add(1, std::memory_order_relaxed));
  return buf;
}

}  // namespace detail

http::status problem_status(Problem p) { return detail::info(p).status; }
std::string problem_type(Problem p) { return std::string("/api/v1/problems/") + detail::info(p).slug; }

Response problem(Problem p, const std::string& detail, unsigned version, bool keep_alive) {
  return detail::problem_with(p, detail, nlohmann::json::object(), version, keep_alive);
}

}  // namespace defter::httpd
