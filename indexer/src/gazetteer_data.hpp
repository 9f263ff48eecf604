// Rows written by the build (indexer/tools/gen_gazetteer.cpp).
#pragma once

#include <cstddef>

namespace defter::indexer::detail {

struct GazetteerRow {
  const char* lang;  // primary language subtag
  const char* code;  // ISO 3166-1 alpha-2
  const char* name;
  bool label;        // the name to show for (lang, code)
  const char* latin;  // the name in lower-case ASCII (latin_folded), "" when ASCII already or CJK
};
extern const GazetteerRow kGazetteer[];  // sorted by lang, then code
extern const std::size_t kGazetteerRows;

// A form of a one-word name that the language's dictionary also holds as an
// ordinary word (lower case, not folded).
struct CommonForm {
  const char* lang;
  const char* form;
};
extern const CommonForm kCommonForms[];
extern const std::size_t kCommonFormCount;

}  // namespace defter::indexer::detail
