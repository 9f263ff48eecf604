// The JSON API of `defter serve` as a plain function from a request to a
// response: routing, parameters, the archive and search calls, errors. It
// never touches a socket (server.hpp does), so tests call it directly.
//
// Routes (schema/openapi.json documents each, with its fields):
//   GET  /api/v1/search        every field of a search request as parameters
//   GET  /api/v1/suggest?q=    completions of titles, authors, countries
//   GET  /api/v1/articles/{id} all translations, or ?lang=
//   GET  /api/v1/authors/{id}  the biography in each language, the articles
//   GET  /api/v1/facets        every facet value with its count (browsing)
//   GET  /api/v1/stats         the archive's and the index's figures
//   GET  /api/v1/openapi.json  the API's description
//   GET  /healthz, /readyz     the process answers; the index can be searched
//   GET  /metrics              Prometheus text (the server answers it; reads' token rules apply)
//   PUT, DELETE /api/v1/articles/{id}, /api/v1/articles/{id}/translations/{lang},
//               /api/v1/authors/{id}
//   POST /api/v1/import        JSON Lines, under the rules of `defter import`
// Writes need `Authorization: Bearer TOKEN` with the write (or admin) scope
// (tokens.hpp); reads too when require_read_token. A write answered 2xx is
// committed to the archive (durably) and in its change log.
// HEAD is accepted wherever GET is. Errors are RFC 9457 problem documents
// (application/problem+json) whose `type` comes from one table (problem()).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/beast/http.hpp>

#include "defter/archive/archive.hpp"
#include "defter/indexer/search.hpp"

namespace defter::httpd {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Beast's string_view (Boost's, in 1.74) as the standard one.
inline std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

// Why a request failed, each with one status and one problem type.
enum class Problem {
  kBadRequest,          // 400: a parameter or field is wrong (named in the detail)
  kUnauthorized,        // 401: no token, or one that is not valid
  kForbidden,           // 403: the token's scope does not allow this
  kNotFound,            // 404: no such route or record
  kMethodNotAllowed,    // 405: with Allow
  kConflict,            // 409: the write contradicts what is stored (an author articles still name)
  kLengthRequired,      // 411: a body without Content-Length
  kPayloadTooLarge,     // 413
  kUriTooLong,          // 414
  kHeadersTooLarge,     // 431
  kNotImplemented,      // 501: a transfer coding other than chunked
  kTooManyRequests,     // 429: with Retry-After
  kUnavailable,         // 503: with Retry-After (overloaded, no index yet)
  kInternal,            // 500: the detail goes to the log only
  kStorageFull,         // 507: the archive's disk is full
};

// A problem document response. `detail` must name what was wrong without
// quoting anything but the client's own request.
Response problem(Problem p, const std::string& detail, unsigned version = 11, bool keep_alive = true);
// The problem's status code and the `type` URI of its document.
http::status problem_status(Problem p);
std::string problem_type(Problem p);

struct ApiOptions {
  std::filesystem::path data;      // the data directory: archive/ and index/
  std::size_t max_page_size = indexer::kMaxPageSize;
  std::size_t max_facet_size = 1000;
  std::size_t max_export = 1000;  // most articles an export of a search (CSV, RIS, BibTeX, CSL-JSON) holds
  bool require_read_token = false;  // reads need a token (any scope) too
  // OAI-PMH at /oai: the repository's name and its administrator's address
  // (Identify), the namespace of its identifiers (oai:ID:ARTICLE-ID) and
  // the items one list response holds.
  std::string oai_name = "defter";
  std::string oai_admin_email = "archivist@defter.invalid";
  std::string oai_repository_id = "defter";
  std::size_t oai_page_size = 100;
  // Web pages of these origins ("https://catalogue.example", or "*": any)
  // may call the API from a browser (CORS); none by default.
  std::vector<std::string> cors_origins;
  // How long one search, suggest or facets request may take (0: no limit);
  // past it the answer is 503 with Retry-After.
  std::chrono::milliseconds search_budget{3000};
  // Called after every committed write with the records it wrote (none
  // for an import: the change log says), so that the server's indexer makes
  // them searchable first. May be empty.
  std::function<void(const std::vector<std::pair<schema::RecordType, std::string>>&)> on_write;
};

// A response body written as it is made (an export of a search): the
// server sends the response's header, then each piece as it comes, as a
// chunk of a chunked body.
struct BodyStream {
  virtual ~BodyStream() = default;
  // The next piece; nullopt at the end. Throws (a Status) when it cannot
  // go on: the connection is then closed before the last chunk, so that
  // the client sees the body cut short.
  virtual std::optional<std::string> next() = 0;
};

// The per-thread state a request needs: a Searcher (opened lazily, reopened
// as the index changes). Not thread-safe: one per server thread.
class ApiWorker {
 public:
  ApiWorker(const ApiOptions& options, archive::Archive& archive);
  ~ApiWorker();
  ApiWorker(const ApiWorker&) = delete;
  ApiWorker& operator=(const ApiWorker&) = delete;

  // What handle() tells the server beside the response.
  struct Outcome {
    std::string route = "unknown";  // for metrics and logs: "search", "article", ...
    std::string error;              // an unexpected failure's detail, for the log only
    std::string request_id;         // a 500's id, in its answer and its log line
    std::string token;              // the name of the token the request presented, for the log
    // Set when the response's body is streamed: the response then carries
    // its header alone, and its body comes from here.
    std::shared_ptr<BodyStream> stream;
  };

  // Answers one request. Never throws; unexpected failures become 500
  // (or 503 when the index or archive is busy), their detail in `outcome`.
  Response handle(const Request& req, Outcome& outcome);

  // Whether the index can be searched now (for /readyz).
  bool ready();

  // Whether a request may go on to have its body read, decided from its
  // header alone: a PUT or POST to a route that takes a body, with a token
  // that allows it. Otherwise handle() answers it without its body.
  bool admits_body(const Request& header);

  // The refusal (401, 403) of a request to `route` by the read rules
  // (require_read_token), or nullopt when it may go on: for the routes the
  // server answers itself (/metrics).
  std::optional<Response> authorize_read(const Request& req, const std::string& route);

  // The name of the route a target goes to ("search", "article", "metrics",
  // ...; "" for none or a target that does not parse), as decoded: the
  // server sends searches to its search threads by it.
  static std::string route_of(std::string_view target);
  // Whether the resource at `target` answers `method` (so that a wrong
  // method is told 405 before anything is said of its body).
  static bool accepts(std::string_view target, boost::beast::http::verb method);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The OpenAPI document the server serves (schema/openapi.json, built in).
const std::string& openapi_document();

// A strong ETag for a body ("\"16 hex digits\"").
std::string etag_of(std::string_view body);
// Whether an If-None-Match header value matches an ETag.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace defter::httpd
