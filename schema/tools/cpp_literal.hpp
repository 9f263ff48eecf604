// For the build-time generators (schema/tools, indexer/tools): text as a C++
// string literal.
#pragma once

#include <string>

namespace defter::gen {

inline std::string cpp_literal(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace defter::gen
