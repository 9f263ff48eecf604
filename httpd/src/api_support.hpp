// What the API's handlers share (internal to httpd/): the problem table,
// request targets and their parameters, JSON responses.
#pragma once

#include "defter/httpd/api.hpp"


#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>
#include <xxhash.h>

#include "defter/archive/importer.hpp"
#include "defter/httpd/tokens.hpp"
#include "defter/indexer/data_dir.hpp"
#include "defter/indexer/exports.hpp"
#include "defter/indexer/pages.hpp"
#include "defter/indexer/index.hpp"
#include "defter/schema/json_text.hpp"
#include "defter/schema/records.hpp"
#include "defter/schema/text.hpp"
#include "defter/schema/validate.hpp"
#include "openapi_document.hpp"
#include "problems.hpp"
#include "web_assets.hpp"

namespace defter::httpd::detail {


using json = nlohmann::json;

// A request's parameters, decoded.
using Params = std::multimap<std::string, std::string>;

// Percent-decoding (and + as a space in a query string). nullopt when a %
// is not followed by two hex digits or the result is not UTF-8.
inline std::optional<std::string> decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int a = hex(s[i + 1]), b = hex(s[i + 2]);
      if (a < 0 || b < 0) return std::nullopt;
      out += static_cast<char>(a * 16 + b);
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  if (!schema::valid_utf8(out)) return std::nullopt;
  return out;
}

struct BadRequest {
  std::string detail;
  nlohmann::json extra = nlohmann::json::object();  // the problem's own members ("errors")
};

struct Target {
  std::vector<std::string> segments;  // the path, decoded, split at '/'
  Params params;
};

inline Target parse_target(std::string_view target) {
  Target t;
  std::size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  if (path.empty() || path[0] != '/') throw BadRequest{"the request target must be an absolute path"};
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto seg = decode(path.substr(start, end - start), false);
    if (!seg) throw BadRequest{"the path has a bad percent-encoding or is not UTF-8"};
    if (*seg == "." || *seg == ".." || seg->find('/') != std::string::npos || seg->find('\0') != std::string::npos)
      throw BadRequest{"the path may not hold '.', '..', an encoded '/' or a NUL"};
    if (!seg->empty() || end < path.size()) t.segments.push_back(*seg);
    start = end + 1;
  }
  while (!t.segments.empty() && t.segments.back().empty()) t.segments.pop_back();  // a trailing slash
  if (q == std::string_view::npos) return t;
  std::string_view query = target.substr(q + 1);
  std::size_t p = 0;
  while (p <= query.size()) {
    std::size_t amp = query.find('&', p);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(p, amp - p);
    if (!pair.empty()) {
      std::size_t eq = pair.find('=');
      auto name = decode(pair.substr(0, eq), true);
      if (!name) throw BadRequest{"a parameter name has a bad percent-encoding or is not UTF-8"};
      auto value = decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
      if (!value) throw BadRequest{"parameter '" + *name + "' has a bad percent-encoding or is not UTF-8"};
      t.params.emplace(*name, *value);
    }
    p = amp + 1;
  }
  return t;
}

// Parameters by name, checked against the names a route accepts.
class Query {
 public:
  Query(const Params& params, const std::set<std::string>& allowed) : params_(params) {
    for (const auto& [name, v] : params)
      if (!allowed.count(name)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        throw BadRequest{"unknown parameter '" + name + "'" + (list.empty() ? "" : " (accepted: " + list + ")")};
      }
  }
  std::vector<std::string> all(const std::string& name) const {
    std::vector<std::string> out;
    auto [a, b] = params_.equal_range(name);
    for (auto it = a; it != b; ++it) out.push_back(it->second);
    return out;
  }
  std::optional<std::string> one(const std::string& name) const {
    auto [a, b] = params_.equal_range(name);
    if (a == b) return std::nullopt;
    if (std::next(a) != b) throw BadRequest{"parameter '" + name + "' may be given once"};
    return a->second;
  }
  std::string get(const std::string& name, const std::string& fallback = "") const { return one(name).value_or(fallback); }
  std::size_t number(const std::string& name, std::size_t fallback, std::size_t low, std::size_t high) const {
    auto v = one(name);
    if (!v) return fallback;
    std::size_t n = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || ptr != v->data() + v->size() || n < low || n > high)
      throw BadRequest{"parameter '" + name + "' must be a whole number from " + std::to_string(low) + " to " +
                       std::to_string(high)};
    return n;
  }
  bool flag(const std::string& name, bool fallback) const {
    auto v = one(name);
    if (!v) return fallback;
    if (*v == "true" || *v == "1") return true;
    if (*v == "false" || *v == "0") return false;
    throw BadRequest{"parameter '" + name + "' must be true or false"};
  }

 private:
  const Params& params_;
};

// Values given as repeated parameters or comma-separated in one.
inline std::vector<std::string> listed(const Query& q, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& v : q.all(name)) {
    std::size_t start = 0;
    while (start <= v.size()) {
      std::size_t end = v.find(',', start);
      if (end == std::string::npos) end = v.size();
      if (end > start) out.push_back(v.substr(start, end - start));
      start = end + 1;
    }
  }
  return out;
}

// A JSON answer already written as text.
inline Response json_text_response(std::string body, http::status status = http::status::ok) {
  Response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

inline Response json_response(const json& body, http::status status = http::status::ok) {
  return json_text_response(body.dump(-1, ' ', false, json::error_handler_t::replace), status);
}

inline std::string hash_hex(std::string_view s) {
  std::uint64_t h = XXH3_64bits(s.data(), s.size());
  static const char* digits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = digits[h & 0xF];
  return out;
}

}  // namespace defter::httpd::detail
