// The generated gazetteer rows by language (internal to indexer/).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "gazetteer_data.hpp"

namespace defter::indexer::detail {

inline std::string primary_subtag(std::string_view lang) { return std::string(lang.substr(0, lang.find('-'))); }

// The rows of one primary language subtag.
inline std::pair<const GazetteerRow*, const GazetteerRow*> rows_of(const std::string& lang) {
  const auto* begin = kGazetteer;
  const auto* end = kGazetteer + kGazetteerRows;
  auto lo = std::lower_bound(begin, end, lang, [](const GazetteerRow& r, const std::string& l) { return r.lang < l; });
  auto hi = std::upper_bound(lo, end, lang, [](const std::string& l, const GazetteerRow& r) { return l < r.lang; });
  return {lo, hi};
}

}  // namespace defter::indexer::detail
