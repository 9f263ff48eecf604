// Text written into XML and HTML the server makes (internal to httpd/):
// the page's head, the Atom feeds, OpenSearch and OAI-PMH.
#pragma once

#include <string>

namespace defter::httpd::detail {

// Text for an XML or HTML attribute or element: the characters that are
// markup escaped (& < > " and, with apostrophe, '), a newline as a space
// in an attribute (newline_as_space), and what XML 1.0 cannot hold at
// all dropped (C0 controls other than tab, newline and carriage return,
// U+FFFE and U+FFFF), so that a record's text never makes a document a
// parser refuses.
inline std::string xml_text(const std::string& text, bool apostrophe = true,
                            bool newline_as_space = true) {
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += apostrophe ? "&apos;" : "'";
        break;
      case '\n':
        out += newline_as_space ? ' ' : '\n';
        break;
      default:
        if (c < 0x20 && c != '\t' && c != '\r') break;
        // U+FFFE and U+FFFF: EF BF BE, EF BF BF.
        if (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
            (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xBE) {
          i += 2;
          break;
        }
        out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace defter::httpd::detail
