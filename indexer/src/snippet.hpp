// Snippets and highlighting: the words of a text that a query matched, found
// with the same analysis as indexing (so stems, folding and i-dots count),
// HTML-escaped so that record text can never inject markup.
#pragma once

#include <map>
#include <string>
#include <string>
#include <vector>

#include "defter/indexer/analysis.hpp"

namespace defter::indexer {

// What to highlight, for one language's analysis. Each entry belongs to a
// group (a word of the query, with its stems and the other names of a
// country it names): a snippet shows as many groups as it can.
struct Highlight {
  std::map<std::string, int> terms;  // folded words
  std::map<std::string, int> stems;  // folded stems
  std::vector<std::pair<std::string, int>> prefixes;  // folded wildcard prefixes
  std::vector<std::pair<std::string, int>> cjk;  // CJK strings, matched inside runs
  int groups = 0;
  std::u32string initials;  // the first letters of all of the above (see Analyzer::spans)
  bool empty() const { return terms.empty() && stems.empty() && prefixes.empty() && cjk.empty(); }
};

// The HTML-escaped text (& < > " ').
std::string escape_html(std::string_view text);

// Fills h.initials from its terms, stems and prefixes.
void set_initials(Highlight& h);

// How a title or snippet is written: HTML-escaped with the matched words in
// <mark></mark>, HTML-escaped alone, or plain text (nothing escaped).
enum class Markup { kMarked, kEscaped, kText };

// All of `text` (whitespace runs made one space), as `markup` says.
std::string highlight_all(const Analyzer& analyzer, const std::string& text, const Highlight& h, Markup markup);

// A fragment of about `max_chars` characters around the densest cluster of
// matches (the beginning when nothing matches), "…" where text was cut,
// as `markup` says. Paragraphs are
// analysed in order until one holds every group (or well past the first
// match): most snippets need only the first few.
std::string snippet(const Analyzer& analyzer, const std::string& text, const Highlight& h, std::size_t max_chars,
                    Markup markup);

}  // namespace defter::indexer
