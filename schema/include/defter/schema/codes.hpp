// Code lists from maintained data: Debian's iso-codes, read at build time
// (schema/tools/gen_codes.cpp), never typed by hand.
#pragma once

#include <string>
#include <string_view>

namespace defter::schema {

// ISO 3166-1 alpha-2, upper case ("KZ").
bool is_country_code(std::string_view code);
// ISO 639 language code: alpha-2 ("tr") or alpha-3 ("tur", "kaz"), lower case.
bool is_language_code(std::string_view code);
// ISO 15924 script code, title case ("Latn", "Cyrl", "Hans").
bool is_script_code(std::string_view code);

// The English name of a country, or "" for an unknown code.
std::string_view country_name(std::string_view code);

// The code a user probably meant, for a "did you mean": a code in the
// wrong case ("kz" -> "KZ", "TR" -> "tr", "zh-hans" -> "zh-Hans") or an
// English name ("Kazakhstan" -> "KZ", "Turkish" -> "tr"); "" when none.
std::string suggest_country_code(std::string_view text);
std::string suggest_language_tag(std::string_view text);

}  // namespace defter::schema
