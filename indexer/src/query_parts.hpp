// Small pieces the search side builds queries from (internal to indexer/).
#pragma once

#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "defter/indexer/index_schema.hpp"

namespace defter::indexer::detail {

using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

inline std::string term(std::string_view prefix, const std::string& value) { return std::string(prefix) + value; }

// Every document, as a query object of its own: Xapian::Query::MatchAll is
// one shared object whose reference count two threads must not touch.
inline Xapian::Query match_all() { return Xapian::Query(std::string()); }

inline Xapian::Query boolean(const Xapian::Query& q) { return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, 0.0); }

inline Xapian::Query or_terms(const std::vector<std::string>& terms) {
  if (terms.empty()) return Xapian::Query::MatchNothing;
  return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

inline Xapian::Query and_queries(std::vector<Xapian::Query> parts) {
  parts.erase(std::remove_if(parts.begin(), parts.end(), [](const Xapian::Query& q) { return q.empty(); }), parts.end());
  if (parts.empty()) return Xapian::Query();
  if (parts.size() == 1) return parts[0];
  return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
}

inline Xapian::Query date_range(const std::string& from, const std::string& to) {
  // A (partial) date [start, end] overlaps [from, to].
  std::vector<Xapian::Query> parts;
  if (!to.empty()) parts.emplace_back(Xapian::Query::OP_VALUE_LE, slot::kDateStart, to);
  if (!from.empty()) parts.emplace_back(Xapian::Query::OP_VALUE_GE, slot::kDateEnd, from);
  return and_queries(parts);
}

}  // namespace defter::indexer::detail
