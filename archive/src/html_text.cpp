#include "html_text.hpp"

#include <algorithm>
#include <cctype>

namespace defter::archive::html_markdown {

std::string collapsed(std::string_view raw) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
  };
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    bool nbsp = raw.compare(i, 2, "\xC2\xA0") == 0;
    if (is_space(raw[i]) || nbsp) {
      if (!out.empty() && out.back() != ' ') out += ' ';
      if (nbsp) ++i;
      continue;
    }
    out += raw[i];
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string shortened(std::string text) {
  text = collapsed(text);
  if (text.size() > 60) {
    std::size_t cut = 57;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "...";
  }
  return text;
}

bool digits(std::string_view s) {
  return !s.empty() && s.size() <= 5 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

std::string fence_for(std::string_view text, std::size_t shortest) {
  std::size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max(shortest, longest + 1), '`');
}

// Text as CommonMark shows it literally; "[12]" stays as written, the
// archive's footnote marker.
std::string escaped(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '[') {
      std::size_t close = text.find(']', i);
      if (close != std::string_view::npos && digits(text.substr(i + 1, close - i - 1))) {
        out.append(text.substr(i, close - i + 1));
        i = close;
        continue;
      }
    }
    bool entity = c == '&' && i + 1 < text.size() &&
                  (std::isalnum(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '#');
    if (c == '\\' || c == '`' || c == '*' || c == '_' || c == '<' || c == '[' || c == ']' || entity)
      out += '\\';
    out += c;
  }
  return out;
}

// A line that would otherwise start a heading, quote, list or break.
std::string line_start_safe(std::string line) {
  if (line.empty()) return line;
  const char c = line[0];
  std::size_t at = std::string::npos;  // where a backslash goes
  if (c == '#' || c == '>' || c == '-' || c == '+' || c == '=' || c == '~') {
    at = 0;
  } else {
    std::size_t d = 0;
    while (d < line.size() && d < 9 && std::isdigit(static_cast<unsigned char>(line[d]))) ++d;
    if (d > 0 && d < line.size() && (line[d] == '.' || line[d] == ')')) at = d;
  }
  if (at == std::string::npos) return line;
  std::string out;
  out.reserve(line.size() + 1);
  out.append(line, 0, at).append(1, '\\').append(line, at, std::string::npos);
  return out;
}

}  // namespace defter::archive::html_markdown
