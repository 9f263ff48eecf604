// Text from records and requests as it may be shown on a terminal or
// written into a log line.
#pragma once

#include <string>
#include <string_view>

namespace defter::schema {

// `text` with every control character escaped, so that it can neither
// move the cursor, retitle or clear a terminal, nor split a log line: C0
// controls (newline and tab included) and DEL as \n, \t, \r or \xNN, the C1
// controls U+0080..U+009F as \u0080..\u009f, bytes that are not UTF-8 as
// \xNN, and a backslash as \\ (so that an escape cannot be forged). Other
// text, any script, is kept as it is.
std::string printable(std::string_view text);

}  // namespace defter::schema
