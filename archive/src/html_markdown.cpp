#include "html_markdown.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "defter/schema/text.hpp"
#include "html_blocks.hpp"
#include "html_text.hpp"
#include "xml_nodes.hpp"

namespace defter::archive::html_markdown {

namespace {

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

std::string name_of(const xmlNode* n) {
  std::string name = n->name ? reinterpret_cast<const char*>(n->name) : "";
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'; }

// What an element is to the converter, by its name.
enum class Tag {
  kInline,  // its content, inline (span, u, small, abbr...)
  kSilent,  // left out without a word (script, style, forms)
  kMedia,   // left out and named (iframe, video...)
  kContainer,
  kParagraph,
  kHeading,
  kQuote,
  kList,
  kPre,
  kRule,
  kTable,
  kFigure,
  kBreak,
  kImage,
  kStrong,
  kEmphasis,
  kCode,
  kLink,
  kSuperscript,
};

Tag tag_of(const xmlNode* n) {
  static const std::unordered_map<std::string_view, Tag> tags = [] {
    std::unordered_map<std::string_view, Tag> t;
    for (const char* name : {"script", "style", "noscript", "template", "form", "input", "button",
                             "select", "textarea", "head", "title", "meta", "link", "nav"})
      t[name] = Tag::kSilent;
    for (const char* name : {"iframe", "video", "audio", "embed", "object", "svg", "canvas"})
      t[name] = Tag::kMedia;
    for (const char* name :
         {"div", "section", "article", "main", "header", "footer", "aside", "center", "body",
          "html", "details", "summary", "dl", "dt", "dd", "address", "hgroup", "fieldset"})
      t[name] = Tag::kContainer;
    for (const char* name : {"h1", "h2", "h3", "h4", "h5", "h6"}) t[name] = Tag::kHeading;
    for (const char* name : {"strong", "b"}) t[name] = Tag::kStrong;
    for (const char* name : {"em", "i", "cite", "dfn", "var"}) t[name] = Tag::kEmphasis;
    for (const char* name : {"code", "kbd", "samp", "tt"}) t[name] = Tag::kCode;
    t["p"] = Tag::kParagraph;
    t["blockquote"] = Tag::kQuote;
    t["ul"] = t["ol"] = Tag::kList;
    t["pre"] = Tag::kPre;
    t["hr"] = Tag::kRule;
    t["table"] = Tag::kTable;
    t["figure"] = Tag::kFigure;
    t["br"] = Tag::kBreak;
    t["img"] = Tag::kImage;
    t["a"] = Tag::kLink;
    t["sup"] = Tag::kSuperscript;
    return t;
  }();
  // libxml2's HTML parser writes element names in lower case.
  auto it = n->name ? tags.find(reinterpret_cast<const char*>(n->name)) : tags.end();
  return it == tags.end() ? Tag::kInline : it->second;
}

// A text node's text, without a copy.
std::string_view text_view(const xmlNode* n) {
  return n->content ? std::string_view(reinterpret_cast<const char*>(n->content))
                    : std::string_view();
}

class Converter {
 public:
  // `images` and `media` left out before (shortcodes): counted on from there.
  Converter(bool classic, int images = 0, int media = 0)
      : classic_(classic), images_(images), media_(media) {}

  // The blocks of `first` and the siblings after it, up to `end` (not
  // included; none: to the last).
  std::vector<Block> blocks(xmlNode* first, const xmlNode* end = nullptr) {
    std::vector<Block> out;
    Inline para;
    auto flush = [&] {
      finish(para, out);
      para = Inline();
    };
    for (xmlNode* n = first; n != end; n = n->next) {
      if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        std::string_view text = text_view(n);
        // A classic post's blank line ends a paragraph.
        for (std::size_t at = 0;;) {
          std::size_t blank = classic_ ? blank_line(text, at) : std::string::npos;
          text_into(para, text.substr(at, blank == std::string::npos ? blank : blank - at));
          if (blank == std::string::npos) break;
          flush();
          at = text.find('\n', blank + 1);
          if (at == std::string::npos) break;
        }
        continue;
      }
      if (n->type != XML_ELEMENT_NODE) continue;  // comments: the block editor's marks
      switch (tag_of(n)) {
        case Tag::kSilent:
          break;
        case Tag::kHeading:
          flush();
          heading(n, n->name[1] - '0', out);
          break;
        case Tag::kParagraph:
        case Tag::kContainer: {
          flush();
          auto inner = blocks(n->children);
          std::move(inner.begin(), inner.end(), std::back_inserter(out));
          break;
        }
        case Tag::kQuote:
          flush();
          quote(n, out);
          break;
        case Tag::kList:
          flush();
          list(n, n->name[0] == 'o', out);
          break;
        case Tag::kPre:
          flush();
          code_block(n, out);
          break;
        case Tag::kRule:
          flush();
          out.push_back({Block::kRule, "---", {}});
          break;
        case Tag::kTable:
          flush();
          drop_table(n);
          break;
        case Tag::kFigure:
          flush();
          drop_figure(n);
          break;
        default:
          inline_node(n, para);
      }
    }
    flush();
    return out;
  }

  void inline_node(xmlNode* n, Inline& in) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      text_into(in, text_view(n));
      return;
    }
    if (n->type != XML_ELEMENT_NODE) return;
    switch (tag_of(n)) {
      case Tag::kSilent:
        return;
      case Tag::kBreak:
        return in.line_break();
      case Tag::kImage:
        return drop_image(xml::attr(n, "alt"), xml::attr(n, "src"));
      case Tag::kMedia:
        return drop_media(n);
      case Tag::kTable:
        return drop_table(n);
      case Tag::kStrong:
        return in.wrap(children(n), "**", "**");
      case Tag::kEmphasis:
        return in.wrap(children(n), "*", "*");
      case Tag::kCode: {
        std::string text = collapsed(xml::text(n));
        std::string ticks = fence_for(text, 1);
        if (!text.empty()) in.put(ticks + (text[0] == '`' ? " " : "") + text + ticks, text);
        return;
      }
      case Tag::kLink:
        return link(n, in);
      case Tag::kSuperscript:
        return superscript(n, in);
      default:
        return in.wrap(children(n), "", "");
    }
  }

  std::vector<std::string> fn_order;  // the block editor's note ids, as the text cites them
  std::vector<std::string> dropped;

 private:
  static std::size_t blank_line(std::string_view text, std::size_t from) {
    for (std::size_t nl = text.find('\n', from); nl != std::string::npos;
         nl = text.find('\n', nl + 1)) {
      std::size_t next = nl + 1;
      while (next < text.size() && (text[next] == ' ' || text[next] == '\t' || text[next] == '\r'))
        ++next;
      if (next < text.size() && text[next] == '\n') return nl;
    }
    return std::string::npos;
  }

  void text_into(Inline& in, std::string_view raw) {
    const std::size_t size = raw.size();
    auto nbsp = [&](std::size_t at) {
      return raw[at] == '\xC2' && at + 1 < size && raw[at + 1] == '\xA0';
    };
    for (std::size_t i = 0; i < size;) {
      if (is_space(raw[i]) || nbsp(i)) {
        // A classic post's line break is kept (WordPress prints it as <br>).
        if (raw[i] == '\n' && classic_)
          in.line_break();
        else
          in.whitespace();
        i += raw[i] == '\xC2' ? 2 : 1;
        continue;
      }
      std::size_t end = i + 1;
      while (end < size && !is_space(raw[end]) && !nbsp(end)) ++end;
      std::string_view word = raw.substr(i, end - i);
      in.put_text(word);
      i = end;
    }
  }

  Inline children(xmlNode* n) {
    Inline inner;
    for (xmlNode* c = n->children; c; c = c->next) inline_node(c, inner);
    return inner;
  }

  void finish(Inline& para, std::vector<Block>& out) {
    std::string md = para.md;
    if (md.find_first_not_of(" \\\n") == std::string::npos) return;
    Block b;
    b.kind = Block::kParagraph;
    std::string lines;
    for (std::size_t at = 0;;) {
      std::size_t end = md.find("\\\n", at);
      std::string line = md.substr(at, end == std::string::npos ? end : end - at);
      if (!lines.empty()) lines += "\\\n";
      lines += line_start_safe(line);
      if (end == std::string::npos) break;
      at = end + 2;
    }
    b.md = std::move(lines);
    for (std::size_t at = 0;;) {
      std::size_t end = para.plain.find('\n', at);
      b.lines.push_back(para.plain.substr(at, end == std::string::npos ? end : end - at));
      if (end == std::string::npos) break;
      at = end + 1;
    }
    out.push_back(std::move(b));
  }

  void heading(xmlNode* n, int level, std::vector<Block>& out) {
    Inline in;
    bool classic = classic_;
    classic_ = false;  // a heading is one line
    for (xmlNode* c = n->children; c; c = c->next) inline_node(c, in);
    classic_ = classic;
    std::string md = schema::replaced_all(in.md, "\\\n", " ");
    if (md.empty()) return;
    out.push_back({Block::kHeading,
                   std::string(static_cast<std::size_t>(level), '#') + " " + md,
                   {collapsed(in.plain)}});
  }

  static std::string joined(const std::vector<Block>& blocks) {
    std::string out;
    for (const auto& b : blocks) out += (out.empty() ? "" : "\n\n") + b.md;
    return out;
  }

  // Each line of `text` after `first` (its first line) or `rest`, with no
  // spaces at the end of a line (a blank line's prefix is dropped). One
  // pass: a list nested in many lists has as many prefixes on each line.
  static std::string prefixed(const std::string& text, const std::string& first,
                              const std::string& rest) {
    std::string out = first;
    out.reserve(first.size() + text.size());
    auto trim = [&] {
      while (!out.empty() && out.back() == ' ') out.pop_back();
    };
    for (char c : text) {
      if (c != '\n') {
        out += c;
        continue;
      }
      trim();
      out += '\n';
      out += rest;
    }
    trim();
    return out;
  }

  void quote(xmlNode* n, std::vector<Block>& out) {
    auto inner = blocks(n->children);
    if (inner.empty()) return;
    out.push_back({Block::kOther, prefixed(joined(inner), "> ", "> "), {}});
  }

  void list(xmlNode* n, bool ordered, std::vector<Block>& out) {
    Block b;
    b.kind = Block::kList;
    b.ordered = ordered;
    if (ordered) {
      std::string start = xml::attr(n, "start");
      if (digits(start)) b.start = std::stoi(start);
    }
    std::vector<std::vector<Block>> items;
    for (xmlNode* c = n->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      // Anything else than an item is converted alone (not with the
      // siblings after it, which the loop comes to): it starts the first
      // item, or, like a list directly inside a list, belongs to the item
      // before it.
      if (name_of(c) == "li") {
        items.push_back(blocks(c->children));
      } else if (items.empty()) {
        items.push_back(blocks(c, c->next));
      } else {
        auto more = blocks(c, c->next);
        std::move(more.begin(), more.end(), std::back_inserter(items.back()));
      }
    }
    // Loose (blank lines between items) when an item holds two paragraphs;
    // a list inside an item follows its text directly.
    bool loose = std::any_of(items.begin(), items.end(), [](const auto& item) {
      return std::count_if(item.begin(), item.end(),
                           [](const Block& x) { return x.kind != Block::kList; }) > 1;
    });
    int number = b.start;
    for (const auto& item : items) {
      if (item.empty()) continue;
      std::string marker = ordered ? std::to_string(number++) + "." : "-";
      std::string text;
      for (const auto& block : item)
        text += (text.empty() ? "" : block.kind == Block::kList ? "\n" : "\n\n") + block.md;
      if (!b.md.empty()) b.md += loose ? "\n\n" : "\n";
      b.md += prefixed(text, marker + " ", std::string(marker.size() + 1, ' '));
      std::string plain;
      for (const auto& block : item)
        for (const auto& line : block.lines) plain += (plain.empty() ? "" : " ") + line;
      b.lines.push_back(plain);
    }
    if (!b.md.empty()) out.push_back(std::move(b));
  }

  void code_block(xmlNode* n, std::vector<Block>& out) {
    std::string text = xml::text(n);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    text.erase(0, std::min(text.find_first_not_of('\n'), text.size()));
    if (text.empty()) return;
    std::string fence = fence_for(text, 3);
    out.push_back({Block::kOther, fence + "\n" + text + "\n" + fence, {}});
  }

  void link(xmlNode* n, Inline& in) {
    Inline inner = children(n);
    std::string href = collapsed(xml::attr(n, "href"));
    // In-page anchors (a note's back link) and scripts are not kept as links.
    if (href.empty() || href[0] == '#' || href.rfind("javascript:", 0) == 0 || inner.md.empty()) {
      in.wrap(inner, "", "");
      return;
    }
    std::string dest = href;
    if (dest.find_first_of(" ()<>") != std::string::npos) {
      std::string safe;
      for (char c : dest) {
        if (c == ' ')
          safe += "%20";
        else if (c == '<' || c == '>')
          safe += c == '<' ? "%3C" : "%3E";
        else
          safe += c;
      }
      dest = "<" + safe + ">";
    }
    // The plain text keeps the address, which a note's reader needs.
    bool web = href.rfind("http://", 0) == 0 || href.rfind("https://", 0) == 0;
    std::string plain = inner.plain;
    if (web && inner.plain.find(href) == std::string::npos) plain += " " + href;
    if (inner.lead_space) in.whitespace();
    in.put("[" + inner.md + "](" + dest + ")", plain);
    if (inner.space || inner.brk) in.whitespace();
  }

  void superscript(xmlNode* n, Inline& in) {
    std::string id = xml::attr(n, "data-fn");
    if (!id.empty()) {
      auto it = std::find(fn_order.begin(), fn_order.end(), id);
      std::size_t number = static_cast<std::size_t>(it - fn_order.begin()) + 1;
      if (it == fn_order.end()) fn_order.push_back(id);
      std::string marker = "[" + std::to_string(number) + "]";
      in.put(marker, marker);
      return;
    }
    std::string text = collapsed(xml::text(n));
    if (text.size() > 2 && text.front() == '[' && text.back() == ']')
      text = text.substr(1, text.size() - 2);
    if (digits(text)) {
      in.put(std::string(1, kMarkOpen) + text + kMarkClose, "[" + text + "]");
      return;
    }
    in.wrap(children(n), "", "");
  }

  void drop_image(const std::string& alt, const std::string& src) {
    std::string name = shortened(alt);
    if (name.empty() && !src.empty()) name = src.substr(src.find_last_of('/') + 1);
    dropped.push_back("image " + std::to_string(++images_) +
                      (name.empty() ? "" : " ('" + name + "')"));
  }

  void drop_media(xmlNode* n) {
    std::string src = xml::attr(n, "src");
    dropped.push_back("embedded media " + std::to_string(++media_) + " (" + name_of(n) +
                      (src.empty() ? "" : " " + shortened(src)) + ")");
  }

  static xmlNode* find(xmlNode* n, const std::string& tag) {
    for (xmlNode* c = n->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if (name_of(c) == tag) return c;
      if (xmlNode* deeper = find(c, tag)) return deeper;
    }
    return nullptr;
  }

  static xmlNode* find_media(xmlNode* n) {
    for (xmlNode* c = n->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if (tag_of(c) == Tag::kMedia) return c;
      if (xmlNode* deeper = find_media(c)) return deeper;
    }
    return nullptr;
  }

  void drop_table(xmlNode* n) {
    xmlNode* caption = find(n, "caption");
    if (!caption) caption = find(n, "th");
    if (!caption) caption = find(n, "td");
    std::string name = caption ? shortened(xml::text(caption)) : "";
    dropped.push_back("table " + std::to_string(++tables_) +
                      (name.empty() ? "" : " ('" + name + "')"));
  }

  void drop_figure(xmlNode* n) {
    if (find(n, "table")) {
      drop_table(find(n, "table"));
      return;
    }
    xmlNode* img = find(n, "img");
    xmlNode* caption = find(n, "figcaption");
    std::string alt = img ? xml::attr(img, "alt") : "";
    if (alt.empty() && caption) alt = xml::text(caption);
    if (img || !caption) {
      drop_image(alt, img ? xml::attr(img, "src") : "");
    } else {
      if (xmlNode* m = find_media(n)) return drop_media(m);
      drop_image(alt, "");
    }
  }

  bool classic_;
  int images_ = 0, tables_ = 0, media_ = 0;
};

// Parses `html` as a page's body; `error`: why libxml2 gave up on it, if it did.
Doc parse(std::string_view html, std::string* error = nullptr) {
  std::string page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>";
  page.reserve(page.size() + html.size() + 16);
  // The two control characters that mark a superscript number in the
  // converter's text are no text (nor valid in HTML): dropped here, before
  // they can reach a text node, an attribute (a link's address) or a note.
  for (char c : html)
    if (c != kMarkOpen && c != kMarkClose) page += c;
  page += "</body></html>";
  xmlResetLastError();
  Doc doc(htmlReadMemory(
      page.data(), static_cast<int>(page.size()), nullptr, "UTF-8",
      HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET));
  const xmlError* e = xmlGetLastError();
  if (error && e && e->level == XML_ERR_FATAL) {
    *error = e->message ? collapsed(e->message) : "not readable";
    if (!doc) *error = "not readable as HTML";
  }
  return doc;
}

xmlNode* body_of(xmlDoc* doc) {
  xmlNode* root = doc ? xmlDocGetRootElement(doc) : nullptr;
  for (xmlNode* c = root ? root->children : nullptr; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && name_of(c) == "body") return c;
  return root;
}

}  // namespace

std::string note_text(std::string_view html) {
  Inline in;
  Doc doc = parse(html);
  Converter reader(false);
  if (xmlNode* b = body_of(doc.get()))
    for (xmlNode* c = b->children; c; c = c->next) reader.inline_node(c, in);
  return collapsed(in.plain);
}

std::string plain_of_html(std::string_view html) {
  if (html.find_first_of("<&") == std::string_view::npos) return collapsed(html);
  Doc doc = parse(html);
  xmlNode* body = body_of(doc.get());
  return body ? collapsed(xml::text(body)) : collapsed(html);
}

namespace {

// `md` onto `out` with each superscript (between kMarkOpen and kMarkClose)
// as a note's [n] when it is the number of one of `numbers`, else as its
// text; a superscript inside another is read first. One pass, whatever the
// number of marks; none of them is left.
void with_note_numbers(const std::string& md, const std::set<int>& numbers, std::string& out) {
  std::vector<std::size_t> opened;  // where each open superscript's text begins in `out`
  for (char c : md) {
    if (c == kMarkOpen) {
      opened.push_back(out.size());
    } else if (c == kMarkClose) {
      if (opened.empty()) continue;
      std::size_t from = opened.back();
      opened.pop_back();
      std::string_view n = std::string_view(out).substr(from);
      if (digits(n) && numbers.count(std::stoi(std::string(n)))) out.insert(from, 1, '[') += ']';
    } else {
      out += c;
    }
  }
}

}  // namespace

Converted convert(std::string_view html, bool classic,
                  const std::vector<std::pair<std::string, std::string>>& block_notes) {
  Converted out;
  int images = 0, media = 0;
  std::string text = without_media_shortcodes(std::string(html), out.dropped, images, media);
  Doc doc = parse(text, &out.error);
  xmlNode* body = body_of(doc.get());
  Converter converter(classic, images, media);
  std::vector<Block> blocks = body ? converter.blocks(body->children) : std::vector<Block>();
  std::move(converter.dropped.begin(), converter.dropped.end(), std::back_inserter(out.dropped));

  Notes notes;
  std::size_t end = blocks.size();
  if (!block_notes.empty()) {
    notes = block_editor_notes(converter.fn_order, block_notes);
  } else {
    end = take_notes(blocks, notes);
  }
  std::set<int> numbers(notes.numbers.begin(), notes.numbers.end());
  for (std::size_t i = 0; i < end; ++i) {
    if (!out.body.empty()) out.body += "\n\n";
    with_note_numbers(blocks[i].md, numbers, out.body);
  }
  out.notes = std::move(notes.texts);
  out.numbers = std::move(notes.numbers);
  return out;
}

}  // namespace defter::archive::html_markdown
