// Fuzz target: a WordPress post's HTML as the archive's CommonMark
// (archive/src/html_markdown.cpp), in both of WordPress's forms (classic
// and block editor) and with block-editor notes. Invariants: no exception;
// as many note numbers as notes; none of the converter's own marks left in
// the body; valid UTF-8 out of valid UTF-8 in.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "html_markdown.hpp"

using namespace defter::archive::html_markdown;

namespace {

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

void check(const Converted& c, bool utf8_in) {
  if (c.notes.size() != c.numbers.size()) defter::fuzz::broken("notes and their numbers differ in count");
  if (c.body.find_first_of("\x01\x02") != std::string::npos) defter::fuzz::broken("a superscript mark left in the body");
  if (utf8_in && !valid_utf8(c.body)) defter::fuzz::broken("the body is not UTF-8");
  for (const auto& n : c.notes)
    if (utf8_in && !valid_utf8(n)) defter::fuzz::broken("a note is not UTF-8");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const bool utf8 = valid_utf8(input);
  check(convert(input, true), utf8);
  check(convert(input, false), utf8);
  // The first line as a block-editor note cited by the rest.
  std::size_t nl = input.find('\n');
  if (nl != std::string_view::npos) {
    std::string rest = "<p>x<sup data-fn=\"a\" class=\"fn\"><a href=\"#a\">1</a></sup></p>" + std::string(input.substr(nl + 1));
    check(convert(rest, false, {{"a", std::string(input.substr(0, nl))}, {"b", "unused"}}), utf8);
  }
  (void)plain_of_html(input);
  return 0;
}
