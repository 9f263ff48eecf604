// JSON text from outside (an import line, a request body, a stored token)
// parsed under limits: every place that parses untrusted JSON goes through
// parse_json, so that no input can build a value deep enough to exhaust the
// stack when it is later serialised, compared or destroyed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "defter/schema/status.hpp"

namespace defter::schema {

// How deep arrays and objects may nest. A record is at most five levels
// deep (article > translations > lang > footnotes > [n]); 64 leaves room
// for any field a future schema adds.
constexpr std::size_t kMaxJsonDepth = 64;

struct JsonParseOptions {
  std::size_t max_depth = kMaxJsonDepth;
  // Where an error is, said as "line L, column C (byte N)" rather than
  // "byte N": for text of many lines (a request body, a document).
  bool lines = false;
  // When not null, set to the byte (from 1) where the text stopped being JSON.
  std::size_t* error_byte = nullptr;
};

// The line and column (both from 1; a column counts bytes) of byte `byte`
// (from 1) of `text`.
struct TextPosition {
  std::size_t line = 1, column = 1;
};
TextPosition position_of(std::string_view text, std::size_t byte);

// Parses exactly `text` (all of it: a NUL byte is an error, not an end) as
// one JSON value. kInvalidArgument with "invalid JSON at byte N: ..." (or
// at line and column: options.lines),
// "invalid UTF-8 at byte N", "a NUL byte at byte N" or "JSON nested deeper
// than 64 levels at byte N". A key given twice in one object keeps its last
// value, and its path ("a.b", "a[2].c") is added to `duplicate_keys` when
// that is not null. Thread-safe.
Result<nlohmann::json> parse_json(std::string_view text, std::vector<std::string>* duplicate_keys = nullptr,
                                  const JsonParseOptions& options = {});

// Appends `text` as a JSON string, byte for byte as nlohmann::json's
// dump(-1, ' ', false, error_handler_t::replace) writes it: '"', '\\' and
// the C0 controls escaped (\b \f \n \r \t, the others \u00XX), all else
// as it is, and bytes that are not UTF-8 replaced by U+FFFD. For answers
// written straight out instead of built as a json value and dumped.
void append_json_string(std::string& out, std::string_view text);
// The same for text known to be well-formed UTF-8 (the archive's, which
// every write validates): not checked again.
void append_json_string_utf8(std::string& out, std::string_view text);
// Appends a number as nlohmann::json's dump() writes it ("1.0", "0.25",
// "null" for what is not finite).
void append_json_number(std::string& out, double value);

}  // namespace defter::schema
