// A post's HTML as the archive's CommonMark (internal to archive/), read
// in-process with libxml2's HTML parser: a WordPress export holds
// thousands of posts, too many to start pandoc for each.
//
// Kept: paragraphs (a classic-editor post's blank lines and line breaks
// read as WordPress prints them), headings, block quotes, lists, code,
// emphasis, links. Left out, each named: images, tables, embedded media
// (and the [caption], [gallery], [embed], [video] and [audio] shortcodes).
// Left out silently: scripts, styles, forms, comments (the block editor's
// <!-- wp:... --> marks).
//
// Footnotes, as WordPress sites write them:
// - the block editor's: <sup data-fn="ID"> in the text, each note's HTML
//   in the post's `footnotes` meta (given as `block_notes`);
// - a numbered section after a heading "References", "Notes", "Kaynakça",
//   "Dipnotlar", "Примечания" (and their kin): an ordered list, or
//   paragraphs each "[n] ..." or "n. ...";
// - paragraphs at the end each "[n] ..." (text pasted from Word, as the
//   institute's site holds it).
// The markers in the text ("[n]", a superscript number) become the
// archive's [n].
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace defter::archive::html_markdown {

struct Converted {
  std::string body;                // CommonMark
  std::vector<std::string> notes;  // each note's plain text (a link's address kept after its text)
  std::vector<int> numbers;        // each note's number
  std::vector<std::string>
      dropped;  // "image 1 ('Map')", "table 2 ('Trade')", "embedded media 1 (...)"
  std::string error;  // libxml2 gave up on the HTML (nested too deep): why; the rest is not whole
};

// `classic`: the post has no block editor marks, so a blank line ends a
// paragraph and a line break is kept (WordPress's wpautop). `block_notes`:
// the block editor's notes (id, HTML), in order.
Converted convert(std::string_view html, bool classic,
                  const std::vector<std::pair<std::string, std::string>>& block_notes = {});

// Text with HTML entities and tags (a title) as plain text.
std::string plain_of_html(std::string_view html);

}  // namespace defter::archive::html_markdown
