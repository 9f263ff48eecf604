// Text from records and requests as it may be shown on a terminal or
// written into a log line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace defter::schema {

// The well-formed UTF-8 sequence at text[i]: its length (1 to 4) and code
// point, or length 0 when the bytes there are not one (a stray or missing
// continuation byte, an overlong form, a surrogate, past U+10FFFF).
struct Utf8Char {
  std::size_t length = 0;
  std::uint32_t code_point = 0;
};
Utf8Char utf8_at(std::string_view text, std::size_t i);

// Whether all of `text` is well-formed UTF-8.
bool valid_utf8(std::string_view text);

// `text` with every `from` replaced by `to`, left to right, in one pass:
// a replacement is never searched again, and the time is linear in the
// text however many there are ("a  b" with "  " -> " " is "a b").
std::string replaced_all(std::string_view text, std::string_view from, std::string_view to);

// `text` with every control character escaped, so that it can neither
// move the cursor, retitle or clear a terminal, nor split a log line: C0
// controls (newline and tab included) and DEL as \n, \t, \r or \xNN, the C1
// controls U+0080..U+009F as \u0080..\u009f, bytes that are not UTF-8 as
// \xNN, and a backslash as \\ (so that an escape cannot be forged). Other
// text, any script, is kept as it is.
std::string printable(std::string_view text);

// Of `candidates`, the (at most `limit`) nearest to `wanted` by edit
// distance (in bytes, case ignored for ASCII), nearest first, those within
// a third of its length (at least 2 edits) or holding it whole; for "did
// you mean" suggestions.
std::vector<std::string> nearest(std::string_view wanted, const std::vector<std::string>& candidates,
                                 std::size_t limit = 3);
// "'a', 'b' or 'c'": suggestions as said in a message.
std::string one_of(const std::vector<std::string>& names);

}  // namespace defter::schema
