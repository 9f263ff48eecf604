#include "defter/schema/text.hpp"

#include <algorithm>

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

std::string replaced_all(std::string_view text, std::string_view from, std::string_view to) {
  if (from.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0;;) {
    std::size_t hit = text.find(from, at);
    out.append(text.substr(at, hit == std::string_view::npos ? std::string_view::npos : hit - at));
    if (hit == std::string_view::npos) return out;
    out.append(to);
    at = hit + from.size();
  }
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

namespace {

char fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

bool contains_folded(std::string_view hay, std::string_view needle) {
  if (needle.empty() || needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && fold(hay[i + k]) == fold(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> nearest(std::string_view wanted, const std::vector<std::string>& candidates, std::size_t limit) {
  std::size_t within = std::max<std::size_t>(2, wanted.size() / 3);
  std::vector<std::pair<std::size_t, const std::string*>> scored;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(wanted, c);
    if (d == 0 && c == wanted) continue;
    if (d <= within || (wanted.size() >= 3 && contains_folded(c, wanted))) scored.emplace_back(d, &c);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& [d, c] : scored) {
    if (out.size() == limit) break;
    out.push_back(*c);
  }
  return out;
}

std::string one_of(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += i + 1 == names.size() ? " or " : ", ";
    out += "'" + names[i] + "'";
  }
  return out;
}

}  // namespace defter::schema
