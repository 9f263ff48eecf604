// Problems (RFC 9457): the one table from a problem to its HTTP status, type
// and title, and the one mapping from a library's failure (a Status code)
// to the problem that answers it. Internal to httpd/.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "defter/httpd/api.hpp"
#include "defter/schema/status.hpp"

namespace defter::httpd::detail {

struct ProblemInfo {
  http::status status;
  const char* slug;   // the type is /api/v1/problems/SLUG
  const char* title;
  const char* explanation;  // what it means and what to do: the type's page
};
ProblemInfo info(Problem p);

// The page a problem's type resolves to (HTML): its title, status and
// explanation; nullopt for a slug that is no problem's.
std::optional<std::string> problem_page(std::string_view slug);

// A problem with members of its own beside type, title, status and detail
// (`extra`, an object: a validation's "errors").
Response problem_with(Problem p, const std::string& detail, const nlohmann::json& extra, unsigned version = 11,
                      bool keep_alive = true);

// How a Status that reached the API is answered: by code, the caller's own
// mistakes (kInvalidArgument, kNotFound, kConflict) with their message; a
// search over its time budget as 503 with Retry-After: 1; the
// environment's failures (the disk, a lock, damage) with a fixed detail,
// their message kept for the log only, never sent (it may name paths of
// the machine). `log` receives what the server log should say ("" none),
// `request_id` the id of a 500 ("" for any other answer).
Response failure_response(const Status& st, std::chrono::milliseconds search_budget, std::string& log,
                          std::string& request_id);

// A 500's answer: the problem with a request id (in the body and in
// X-Request-Id) that its line in the server log also carries.
Response internal_error(const std::string& request_id);

// A new id for a request whose failure is logged: unique within the
// process, unlikely to repeat across restarts (16 hex digits).
std::string new_request_id();

}  // namespace defter::httpd::detail
