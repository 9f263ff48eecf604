// Fuzz target: CommonMark to text (what the indexer indexes) and to HTML
// (what an article view serves). Invariants on the HTML: only cmark's own
// elements and attributes, nothing of the input's markup as markup (no
// script, no event handler, no comment), no javascript:, vbscript: or file:
// link, and valid UTF-8 whatever the input.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "defter/indexer/pages.hpp"
#include "document.hpp"
#include "fuzz_support.hpp"

using namespace defter;

namespace {

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    std::uint32_t c = n == 1 ? b : b & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
      auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      c = (c << 6) | (t & 0x3F);
    }
    static const std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < kMin[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Checks each tag of cmark's HTML: element and attribute names from its
// renderer, link targets without a dangerous scheme.
void check_html(const std::string& html, const std::string& input) {
  static const std::set<std::string> kElements = {"p", "em", "strong", "a", "img", "code", "pre", "blockquote", "ul",
                                                  "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br"};
  static const std::set<std::string> kAttributes = {"href", "title", "src", "alt", "start", "class"};
  if (!valid_utf8(html)) fuzz::broken("the HTML is not valid UTF-8 for input: " + input);
  for (std::size_t lt = html.find('<'); lt != std::string::npos; lt = html.find('<', lt + 1)) {
    std::size_t gt = html.find('>', lt);
    if (gt == std::string::npos) fuzz::broken("an unclosed tag in: " + html);
    std::string tag = html.substr(lt + 1, gt - lt - 1);
    if (!tag.empty() && tag.back() == '/') tag.pop_back();
    if (!tag.empty() && tag.front() == '/') tag.erase(0, 1);
    std::size_t name_end = std::min(tag.find(' '), tag.size());
    std::string name = tag.substr(0, name_end);
    if (!kElements.count(name)) fuzz::broken("element <" + name + "> from input: " + input);
    // Attributes: name="value", values escaped by cmark (no '"' inside).
    for (std::size_t i = name_end; i < tag.size();) {
      while (i < tag.size() && tag[i] == ' ') ++i;
      if (i >= tag.size()) break;
      std::size_t eq = tag.find("=\"", i);
      if (eq == std::string::npos) fuzz::broken("a malformed attribute in <" + tag + ">");
      std::string attribute = tag.substr(i, eq - i);
      std::size_t close = tag.find('"', eq + 2);
      if (close == std::string::npos) fuzz::broken("an unterminated attribute in <" + tag + ">");
      std::string value = lower(tag.substr(eq + 2, close - eq - 2));
      if (!kAttributes.count(attribute)) fuzz::broken("attribute " + attribute + " from input: " + input);
      if ((attribute == "href" || attribute == "src") &&
          (value.rfind("javascript:", 0) == 0 || value.rfind("vbscript:", 0) == 0 || value.rfind("file:", 0) == 0))
        fuzz::broken("a " + attribute + " of " + value + " from input: " + input);
      i = close + 1;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input = fuzz::text_of(data, size);
  std::string text = indexer::plain_text(input);
  if (text.size() > 4 * input.size() + 64) fuzz::broken("the text of a body is far longer than the body");
  check_html(indexer::commonmark_html(input), input);
  return 0;
}
