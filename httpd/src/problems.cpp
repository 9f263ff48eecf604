#include "problems.hpp"

#include <atomic>
#include <cstdio>
#include <random>

#include <nlohmann/json.hpp>

namespace defter::httpd {

namespace detail {

ProblemInfo info(Problem p) {
  switch (p) {
    case Problem::kBadRequest:
      return {http::status::bad_request, "bad-request", "Bad request",
              "A parameter, a field of the body, or the request itself is not what the route "
              "takes: the detail names "
              "which and why, and a body that failed validation lists every problem under errors "
              "(each with its "
              "path). Correct the request and send it again; sending it unchanged gets the same "
              "answer."};
    case Problem::kUnauthorized:
      return {http::status::unauthorized, "unauthorized", "Unauthorized",
              "The request needs a token and has none, or one the archive does not know (unknown "
              "or revoked). "
              "Send Authorization: Bearer TOKEN with a token `defter token create` made. Writes "
              "always need one; "
              "reads only when the server runs with --require-read-token."};
    case Problem::kForbidden:
      return {http::status::forbidden, "forbidden", "Forbidden",
              "The token is valid but its scope does not allow this: reads need read, writes need "
              "write, and reverting "
              "a run needs admin. Ask the archive's operators for a token of that scope."};
    case Problem::kNotFound:
      return {http::status::not_found, "not-found", "Not found",
              "There is no such route, or no record (article, translation, author, revision, run) "
              "with that id. "
              "Ids are lower-case slugs; the detail names what is missing."};
    case Problem::kMethodNotAllowed:
      return {http::status::method_not_allowed, "method-not-allowed", "Method not allowed",
              "The route exists but does not answer this method; the Allow header lists those it "
              "does."};
    case Problem::kConflict:
      return {http::status::conflict, "conflict", "Conflict",
              "The write contradicts what the archive holds: deleting an author articles still "
              "name, an article naming "
              "an author that does not exist, or a revert of a record a later write changed. "
              "Nothing was written; "
              "the detail says what stands in the way."};
    case Problem::kStorageFull:
      return {http::status::insufficient_storage, "storage-full", "Insufficient storage",
              "The archive's disk is full (or its file-size limit reached). Nothing of the request "
              "was written. "
              "The operators must free space; then send the request again."};
    case Problem::kLengthRequired:
      return {http::status::length_required, "length-required", "Length required",
              "A request with a body must say its length (Content-Length) or send it chunked."};
    case Problem::kPayloadTooLarge:
      return {http::status::payload_too_large, "payload-too-large", "Payload too large",
              "The body is larger than the server takes (defter serve --max-body, 64 MiB by "
              "default). Split an import "
              "into several requests."};
    case Problem::kUriTooLong:
      return {http::status::uri_too_long, "uri-too-long", "URI too long",
              "The request's target is longer than the server reads (8 KiB). A long query belongs "
              "in fewer words."};
    case Problem::kHeadersTooLarge:
      return {http::status::request_header_fields_too_large, "headers-too-large",
              "Request header fields too large",
              "The request's header is larger than the server reads (16 KiB)."};
    case Problem::kNotImplemented:
      return {http::status::not_implemented, "not-implemented", "Not implemented",
              "The request uses something HTTP allows that the server does not do: a transfer "
              "coding other than "
              "chunked."};
    case Problem::kTooManyRequests:
      return {http::status::too_many_requests, "too-many-requests", "Too many requests",
              "This client address sent more requests a second than the server allows (defter "
              "serve --rate-limit). "
              "Wait as long as Retry-After says, then go on more slowly."};
    case Problem::kUnavailable:
      return {http::status::service_unavailable, "unavailable", "Service unavailable",
              "The server cannot answer now: the index is not built yet, too many searches wait, a "
              "search took longer "
              "than its budget, or the archive could not be read or written. Try again after "
              "Retry-After seconds; a "
              "search over its budget answers sooner when narrowed."};
    case Problem::kInternal:
      return {http::status::internal_server_error, "internal", "Internal server error",
              "Something failed that should not have. The answer carries a request_id; the "
              "server's log has the "
              "detail under the same id. Tell the archive's operators that id."};
  }
  return {http::status::internal_server_error, "internal", "Internal server error", ""};
}

std::optional<std::string> problem_page(std::string_view slug) {
  for (int i = 0; i <= static_cast<int>(Problem::kStorageFull); ++i) {
    ProblemInfo p = info(static_cast<Problem>(i));
    if (slug != p.slug) continue;
    std::string status = std::to_string(static_cast<int>(p.status));
    return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
           std::string(p.title) + " (" + status + "): defter's API</title>\n</head>\n<body>\n<h1>" +
           p.title + "</h1>\n<p>HTTP status " + status + "; problem type <code>/api/v1/problems/" +
           p.slug + "</code>.</p>\n<p>" + p.explanation +
           "</p>\n<p>Every error of the API is such a problem document (RFC 9457, "
           "<code>application/problem+json</code>): "
           "<code>type</code> is this page, <code>title</code> its name, <code>detail</code> what "
           "went wrong with the "
           "request. The API's document is <a "
           "href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p>\n</body>\n</html>\n";
  }
  return std::nullopt;
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
