// Tables written by the build (schema/tools/gen_codes.cpp).
#pragma once

#include <cstddef>

namespace defter::schema::detail {

struct CodeRow {
  const char* code;
  const char* name;
};
struct CodeTable {
  const CodeRow* rows;  // sorted by code
  std::size_t size;
};

extern const CodeTable kCountryTable;
extern const CodeTable kLanguageTable;
extern const CodeTable kScriptTable;

}  // namespace defter::schema::detail
