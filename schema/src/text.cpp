#include "defter/schema/text.hpp"

#include <cstdint>

namespace defter::schema {

Utf8Char utf8_at(std::string_view text, std::size_t i) {
  auto c = static_cast<unsigned char>(text[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > text.size()) return {};
  std::uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    auto d = static_cast<unsigned char>(text[i + k]);
    if ((d & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (d & 0x3F);
  }
  static const std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {n, cp};
}

bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    Utf8Char u = utf8_at(text, i);
    if (u.length == 0) return false;
    i += u.length;
  }
  return true;
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [&out](const char* escape, unsigned value, int digits) {
    static const char* kDigits = "0123456789abcdef";
    out += escape;
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) out += kDigits[(value >> shift) & 0xF];
  };
  for (std::size_t i = 0; i < text.size();) {
    Utf8Char u = utf8_at(text, i);
    auto c = static_cast<unsigned char>(text[i]);
    if (u.length == 0) {
      hex("\\x", c, 2);
      ++i;
    } else if (u.length == 1) {
      if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c == '\t') out += "\\t";
      else if (c == '\r') out += "\\r";
      else if (c < 0x20 || c == 0x7F) hex("\\x", c, 2);
      else out += static_cast<char>(c);
      ++i;
    } else if (u.code_point <= 0x9F) {
      hex("\\u", u.code_point, 4);  // a C1 control
      i += u.length;
    } else {
      out.append(text.substr(i, u.length));
      i += u.length;
    }
  }
  return out;
}

}  // namespace defter::schema
