// Rows written by the build (indexer/tools/gen_gazetteer.cpp).
#pragma once

#include <cstddef>

namespace defter::indexer::detail {

struct GazetteerRow {
  const char* lang;  // primary language subtag
  const char* code;  // ISO 3166-1 alpha-2
  const char* name;
  bool label;        // the name to show for (lang, code)
};
extern const GazetteerRow kGazetteer[];  // sorted by lang, then code
extern const std::size_t kGazetteerRows;

}  // namespace defter::indexer::detail
