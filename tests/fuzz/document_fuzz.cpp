// Fuzz target: an import input read as one JSON document (a record, or an
// array of records) and split into its lines. Invariants: a document is
// either its lines or a problem, never both; every line is one whole JSON
// value on one line; each names a line of the input, in order; what is not
// a document is left to be read as JSON Lines.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "json_document.hpp"

using namespace defter::archive::import_parts;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto input_lines = static_cast<std::uint64_t>(std::count(input.begin(), input.end(), '\n')) + 1;
  auto doc = document_of_text(input);
  if (shape_of(input, true) == Shape::kLines) {
    if (doc) defter::fuzz::broken("JSON Lines read as a document");
    return 0;
  }
  if (!doc) return 0;  // an object that is not one JSON value: JSON Lines with a broken line
  if (!doc->problem.empty()) {
    if (!doc->text.empty() || !doc->lines.empty()) defter::fuzz::broken("a document with a problem has lines too");
    if (doc->problem_line < 1 || doc->problem_line > input_lines) defter::fuzz::broken("a problem names no line of the input");
    return 0;
  }
  std::size_t n = 0;
  std::uint64_t previous = 0;
  for (std::size_t at = 0; at < doc->text.size(); ++n) {
    std::size_t nl = doc->text.find('\n', at);
    if (nl == std::string::npos) defter::fuzz::broken("the last line has no end");
    std::string_view line(doc->text.data() + at, nl - at);
    if (!nlohmann::json::accept(line)) defter::fuzz::broken("a line is not one JSON value: " + std::string(line.substr(0, 200)));
    if (n >= doc->lines.size()) defter::fuzz::broken("more lines than line numbers");
    if (doc->lines[n] < previous || doc->lines[n] < 1 || doc->lines[n] > input_lines) defter::fuzz::broken("line numbers out of order");
    previous = doc->lines[n];
    at = nl + 1;
  }
  if (n != doc->lines.size()) defter::fuzz::broken("fewer lines than line numbers");
  return 0;
}
