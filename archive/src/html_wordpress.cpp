#include <unicode/unistr.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "html_blocks.hpp"
#include "html_markdown.hpp"

namespace defter::archive::html_markdown {

namespace {

std::string lower(const std::string& text) {
  std::string out;
  icu::UnicodeString::fromUTF8(text).toLower().toUTF8String(out);
  return out;
}

bool notes_heading(std::string text) {
  static const std::set<std::string> names = {"references",
                                              "notes",
                                              "footnotes",
                                              "endnotes",
                                              "sources",
                                              "bibliography",
                                              "kaynakça",
                                              "kaynakca",
                                              "kaynaklar",
                                              "dipnotlar",
                                              "notlar",
                                              "son notlar",
                                              "примечания",
                                              "сноски",
                                              "источники",
                                              "литература",
                                              "список литературы",
                                              "список источников"};
  // The longest name is 33 bytes: a longer paragraph is no heading (and
  // is not lower-cased for nothing).
  if (text.size() > 60) return false;
  text = lower(collapsed(text));
  while (!text.empty() && (text.back() == ':' || text.back() == '.' || text.back() == ' '))
    text.pop_back();
  return names.count(text) > 0;
}

// "[3] text" (or, in a notes section, "3. text" and "3) text").
std::optional<std::pair<int, std::string>> numbered(const std::string& line, bool section) {
  std::string s = collapsed(line);
  std::size_t i = 0;
  bool bracket = !s.empty() && s[0] == '[';
  if (bracket) i = 1;
  std::size_t d = i;
  while (d < s.size() && d - i < 5 && std::isdigit(static_cast<unsigned char>(s[d]))) ++d;
  if (d == i) return std::nullopt;
  if (bracket ? (d >= s.size() || s[d] != ']')
              : (!section || d >= s.size() || (s[d] != '.' && s[d] != ')')))
    return std::nullopt;
  std::string text = collapsed(s.substr(d + 1));
  if (text.empty()) return std::nullopt;
  return std::make_pair(std::stoi(s.substr(i, d - i)), text);
}

bool cited(const std::vector<Block>& blocks, std::size_t end, int n) {
  const std::string marker = "[" + std::to_string(n) + "]",
                    sup = std::string(1, kMarkOpen) + std::to_string(n) + kMarkClose;
  for (std::size_t i = 0; i < end; ++i)
    if (blocks[i].md.find(marker) != std::string::npos ||
        blocks[i].md.find(sup) != std::string::npos)
      return true;
  return false;
}

}  // namespace

// Shortcodes that stand for media: [caption ...]<img ...> text[/caption],
// [gallery ...], [embed]URL[/embed], [video ...][/video], [audio ...].
std::string without_media_shortcodes(std::string html, std::vector<std::string>& dropped,
                                     int& images, int& media) {
  for (const std::string name :
       {"caption", "wp_caption", "gallery", "embed", "video", "audio", "playlist"}) {
    const std::string open = "[" + name, close = "[/" + name + "]";
    // One pass: the text between shortcodes is copied to `out`, and the
    // closing tag looked for again only once the last one found is passed
    // (a page of openings without one would otherwise be read to its end
    // for each).
    std::string out;
    out.reserve(html.size());
    std::size_t copied = 0;  // html before this is in `out` or dropped
    std::size_t closing = 0;  // the first closing tag after where it was last looked for (npos: none)
    for (std::size_t at = 0; (at = html.find(open, at)) != std::string::npos;) {
      std::size_t after = at + open.size();
      if (after < html.size() && html[after] != ']' && html[after] != ' ') {
        at = after;
        continue;
      }
      std::size_t tag_end = html.find(']', after);
      if (tag_end == std::string::npos) break;
      if (closing != std::string::npos && closing < tag_end) closing = html.find(close, tag_end);
      std::size_t end = tag_end + 1, next_open = html.find(open, tag_end);
      std::string inside;
      if (closing != std::string::npos && (next_open == std::string::npos || closing < next_open)) {
        inside = html.substr(tag_end + 1, closing - tag_end - 1);
        end = closing + close.size();
      }
      bool image = name == "caption" || name == "wp_caption" || name == "gallery";
      std::string what =
          image ? "image " + std::to_string(++images) : "embedded media " + std::to_string(++media);
      std::string text = shortened(plain_of_html(inside));
      dropped.push_back(what + (text.empty() ? " ([" + name + "])" : " ('" + text + "')"));
      out.append(html, copied, at - copied);
      copied = at = end;
    }
    out.append(html, copied);
    html = std::move(out);
  }
  return html;
}

bool Notes::add(const Block& b, bool section) {
  if (b.kind == Block::kRule) return true;
  if (b.kind == Block::kList && b.ordered && section) {
    int n = b.start;
    for (const auto& item : b.lines) {
      texts.push_back(collapsed(item));
      numbers.push_back(n++);
    }
    return true;
  }
  if (b.kind != Block::kParagraph) return false;
  for (std::size_t i = 0; i < b.lines.size(); ++i) {
    auto note = numbered(b.lines[i], section);
    if (note) {
      numbers.push_back(note->first);
      texts.push_back(note->second);
    } else if (i > 0 && !texts.empty() && !collapsed(b.lines[i]).empty()) {
      texts.back() += " " + collapsed(b.lines[i]);  // a note over two lines
    } else if (!collapsed(b.lines[i]).empty()) {
      return false;
    }
  }
  return true;
}

std::size_t take_notes(const std::vector<Block>& blocks, Notes& notes) {
  // A section: the last heading (or a paragraph that is only its words).
  for (std::size_t i = blocks.size(); i-- > 0;) {
    const Block& b = blocks[i];
    bool head = b.kind == Block::kHeading ||
                (b.kind == Block::kParagraph && b.lines.size() == 1 && notes_heading(b.lines[0]));
    if (!head) continue;
    if (!notes_heading(b.lines.empty() ? "" : b.lines[0])) break;
    Notes found;
    bool all = i + 1 < blocks.size();
    for (std::size_t j = i + 1; j < blocks.size() && all; ++j) all = found.add(blocks[j], true);
    if (all && !found.texts.empty()) {
      notes = std::move(found);
      return i;
    }
    break;
  }
  // Trailing "[n] ..." paragraphs (and a rule before them).
  std::size_t start = blocks.size();
  while (start > 0 && blocks[start - 1].kind == Block::kParagraph &&
         !blocks[start - 1].lines.empty() && numbered(blocks[start - 1].lines[0], false))
    --start;
  if (start == blocks.size()) return start;
  Notes found;
  for (std::size_t j = start; j < blocks.size(); ++j)
    if (!found.add(blocks[j], false)) return blocks.size();
  if (!cited(blocks, start, found.numbers.front())) return blocks.size();
  while (start > 0 && blocks[start - 1].kind == Block::kRule) --start;
  notes = std::move(found);
  return start;
}

Notes block_editor_notes(const std::vector<std::string>& cited,
                         const std::vector<std::pair<std::string, std::string>>& block_notes) {
  std::map<std::string, std::string> by_id(block_notes.begin(), block_notes.end());
  std::vector<std::string> order = cited;
  for (const auto& [id, note] : block_notes)
    if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
  Notes notes;
  for (std::size_t i = 0; i < order.size(); ++i) {
    auto it = by_id.find(order[i]);
    if (it == by_id.end()) continue;  // cited, but the meta lacks it
    std::string text = note_text(it->second);
    if (text.empty()) continue;
    notes.texts.push_back(std::move(text));
    notes.numbers.push_back(static_cast<int>(i) + 1);
  }
  return notes;
}

}  // namespace defter::archive::html_markdown
