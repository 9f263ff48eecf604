// Fuzz target: the record parser and validator, one JSON Lines line at a
// time (an input of several lines is read line by line, as `defter import`
// reads a file). Invariants: a line is either a record or has errors, never
// both or neither; every error names why; an accepted record written back
// as a line (what `defter export` writes) is accepted again as the same
// record.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "defter/schema/records.hpp"
#include "defter/schema/validate.hpp"
#include "fuzz_support.hpp"

using namespace defter;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static schema::RecordValidator validator;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty()) {
    std::size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    schema::LineResult r = validator.parse_line(line);
    if (r.record.has_value() == !r.errors.empty()) fuzz::broken("a line is a record exactly when it has no errors");
    for (const auto& e : r.errors)
      if (e.reason.empty()) fuzz::broken("an error without a reason (field \"" + e.field + "\")");
    if (!r.record) continue;
    std::string exported = schema::to_json_line(*r.record);
    schema::LineResult again = validator.parse_line(exported);
    if (!again.record) fuzz::broken("an accepted record, exported, is rejected: " + exported);
    if (schema::to_json_line(*again.record) != exported) fuzz::broken("export, import, export changed the record: " + exported);
  }
  return 0;
}
