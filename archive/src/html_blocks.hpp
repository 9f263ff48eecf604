// The blocks a post's HTML is read into, and what WordPress writes in it:
// media shortcodes and notes (internal to html_markdown.cpp, html_wordpress.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "html_text.hpp"

namespace defter::archive::html_markdown {

// A superscript number in the text, written as a marker [n] once the notes
// are known to have an n, else as the number.
constexpr char kMarkOpen = '\x01', kMarkClose = '\x02';

struct Block {
  enum Kind { kParagraph, kHeading, kList, kRule, kOther } kind = kOther;
  std::string md;
  std::vector<std::string> lines;  // a paragraph's lines, a heading's text, a list's items (plain)
  bool ordered = false;
  int start = 1;
};

// The shortcodes that stand for media taken out of `html` ([caption]
// with its image and text, [gallery], [embed], [video], [audio],
// [playlist]), each named in `dropped`; `images` and `media` count them.
std::string without_media_shortcodes(std::string html, std::vector<std::string>& dropped,
                                     int& images, int& media);

struct Notes {
  std::vector<std::string> texts;
  std::vector<int> numbers;
  // Adds a block's notes (`section`: after a notes heading, where "3. "
  // and lists count too); false when the block is not notes.
  bool add(const Block& b, bool section);
};

// A note's HTML as its plain text, a link's address after its text.
std::string note_text(std::string_view html);

// The block editor's notes (id, HTML), numbered in the order the text
// cites them (`cited`: their ids), those it does not cite after them.
Notes block_editor_notes(const std::vector<std::string>& cited,
                         const std::vector<std::pair<std::string, std::string>>& block_notes);

// The notes at the end of the text: after a notes heading ("References",
// "Kaynakça", "Примечания" and their kin), or trailing "[n]" paragraphs
// the text cites. Returns where they begin (blocks.size(): none).
std::size_t take_notes(const std::vector<Block>& blocks, Notes& notes);

}  // namespace defter::archive::html_markdown
