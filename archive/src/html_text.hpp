// Text as the post converter writes it (internal to archive/): whitespace
// collapsed, CommonMark escaping, and inline content in its two forms.
#pragma once

#include <string>
#include <string_view>

namespace defter::archive::html_markdown {

// Whitespace runs (no-break spaces too) as one space, none at the ends.
std::string collapsed(std::string_view raw);

// A name for what was left out: collapsed, at most 60 bytes.
std::string shortened(std::string text);

// One to five ASCII digits.
bool digits(std::string_view s);

// The backticks that fence `text` as code: one more than its longest run
// of them, and at least `shortest`.
std::string fence_for(std::string_view text, std::size_t shortest);

// Text as CommonMark shows it literally; "[12]" stays as written, the
// archive's footnote marker.
std::string escaped(std::string_view text);

// A line that would otherwise start a heading, quote, list or break, made safe.
std::string line_start_safe(std::string line);

// Inline content in both forms: CommonMark for the body, plain text for
// notes and headings. Spaces and breaks wait until content follows them.
struct Inline {
  std::string md, plain;
  bool lead_space = false, space = false, brk = false;

  void put(std::string_view m, std::string_view p) {
    if (m.empty() && p.empty()) return;
    if (!md.empty() || !plain.empty()) {
      if (brk) {
        md += "\\\n";
        plain += '\n';
      } else if (space) {
        md += ' ';
        plain += ' ';
      }
    }
    space = brk = false;
    md += m;
    plain += p;
  }
  // A word of text: escaped in the CommonMark, as it is in the plain text.
  void put_text(std::string_view word) {
    if (word.find_first_of("\\`*_<[]&") == std::string_view::npos) {
      put(word, word);
    } else {
      put(escaped(word), word);
    }
  }
  void whitespace() {
    if (md.empty() && plain.empty())
      lead_space = true;
    else
      space = true;
  }
  void line_break() {
    if (!md.empty() || !plain.empty()) brk = true;
  }
  // Another inline's content inside `open` and `close` (emphasis), its
  // outer spaces outside them.
  void wrap(const Inline& inner, std::string_view open, std::string_view close) {
    if (inner.lead_space) whitespace();
    if (!inner.md.empty()) put(std::string(open) + inner.md + std::string(close), inner.plain);
    if (inner.space || inner.brk) whitespace();
  }
};

}  // namespace defter::archive::html_markdown
