#include "pandoc_tree.hpp"

#include <set>

namespace defter::archive::pandoc_tree {

bool is_node(const json& v, const char* type) {
  return v.is_object() && v.contains("t") && v.at("t") == type;
}

static bool is_block(const json& v) {
  static const std::set<std::string> blocks = {
      "Para",        "Plain", "Header",    "BlockQuote", "BulletList",
      "OrderedList", "Div",   "LineBlock", "CodeBlock",  "DefinitionList"};
  return v.is_object() && v.contains("t") && v.at("t").is_string() &&
         blocks.count(v.at("t").get<std::string>());
}

// A tree's text as one line: words, quotes and links (text, then the
// address when it is not the text); no notes, images or raw markup.
static void plain(const json& v, std::string& out) {
  if (v.is_array()) {
    for (const auto& e : v) {
      if (is_block(e) && !out.empty()) out += ' ';
      plain(e, out);
    }
    return;
  }
  if (!v.is_object() || !v.contains("t")) return;
  const std::string t = v.at("t").get<std::string>();
  static const json none;
  const json& c = v.contains("c") ? v.at("c") : none;
  if (t == "Str")
    out += c.get<std::string>();
  else if (t == "Space" || t == "SoftBreak" || t == "LineBreak")
    out += ' ';
  else if (t == "Code" || t == "Math")
    out += c.at(1).get<std::string>();
  else if (t == "Quoted") {
    bool single = is_node(c.at(0), "SingleQuote");
    out += single ? "\u2018" : "\u201c";
    plain(c.at(1), out);
    out += single ? "\u2019" : "\u201d";
  } else if (t == "Link") {
    std::string text;
    plain(c.at(1), text);
    std::string url = c.at(2).at(0).get<std::string>();
    out += text;
    if (!url.empty() && url[0] != '#' && url != text && url != "mailto:" + text)
      out += (text.empty() ? "" : " ") + url;
  } else if (t == "Image" || t == "Note" || t == "RawInline" || t == "RawBlock") {
  } else if (t == "CodeBlock")
    out += c.at(1).get<std::string>();
  else if (t == "Header")
    plain(c.at(2), out);
  else if (t == "Cite")
    plain(c.at(1), out);
  else if (t == "Span" || t == "Div")
    plain(c.at(1), out);
  else if (t == "OrderedList")
    plain(c.at(1), out);
  else
    plain(c, out);
}

std::string plain_text(const json& v) {
  std::string raw, out;
  plain(v, raw);
  for (char ch : raw) {
    bool space = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : ch;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// A paragraph Word styles as a caption (docx+styles wraps it in a Div
// with its custom-style).
static bool is_caption(const json& v) {
  if (!is_node(v, "Div")) return false;
  for (const auto& kv : v.at("c").at(0).at(2))
    if (kv.at(0) == "custom-style") {
      std::string style = kv.at(1).get<std::string>();
      return style == "Caption" || style == "Image Caption" || style == "Table Caption";
    }
  return false;
}

// Takes the notes, images and tables out of `v` (a tree's blocks or any
// part of them), each note replaced by its marker [n].
void extract(json& v, Extracted& x) {
  if (v.is_object()) {
    if (v.contains("c")) extract(v["c"], x);
    return;
  }
  if (!v.is_array()) return;
  json kept = json::array();
  for (auto& e : v) {
    if (is_node(e, "Note")) {
      x.notes.push_back(plain_text(e["c"]));
      kept.push_back(
          {{"t", "RawInline"}, {"c", {"commonmark", "[" + std::to_string(x.notes.size()) + "]"}}});
      continue;
    }
    if (is_node(e, "Image")) {
      std::string alt = plain_text(e["c"].at(1));
      std::string src = e["c"].at(2).at(0).get<std::string>();
      x.dropped.push_back("image " + (alt.empty() ? "" : "'" + alt + "' ") + "(" + src + ")");
      continue;
    }
    if (is_node(e, "Table")) {
      // Caption: [short caption, blocks].
      const json& c = e["c"].size() > 1 ? e["c"][1] : json();
      std::string caption = c.is_array() && c.size() > 1 ? plain_text(c[1]) : "";
      x.dropped.push_back("table " + std::to_string(++x.tables) +
                          (caption.empty() ? "" : " ('" + caption + "')"));
      continue;
    }
    if (is_caption(e)) continue;  // of an image or a table, left out with it
    extract(e, x);
    kept.push_back(std::move(e));
  }
  v = std::move(kept);
}

// A metadata value as text, or each of a list's values.
std::vector<std::string> meta_values(const json& meta, const char* key) {
  std::vector<std::string> out;
  if (!meta.contains(key)) return out;
  const json& m = meta.at(key);
  auto one = [&](const json& v) {
    if (is_node(v, "MetaString")) return v.at("c").get<std::string>();
    if (is_node(v, "MetaMap") && v.at("c").contains("name"))
      return plain_text(v.at("c").at("name").value("c", json()));
    if (is_node(v, "MetaBool")) return std::string(v.at("c").get<bool>() ? "true" : "false");
    return plain_text(v.contains("c") ? v.at("c") : json());
  };
  if (is_node(m, "MetaList")) {
    for (const auto& v : m.at("c"))
      if (auto s = one(v); !s.empty()) out.push_back(s);
  } else if (auto s = one(m); !s.empty()) {
    out.push_back(s);
  }
  return out;
}

std::string meta_value(const json& meta, const char* key) {
  auto v = meta_values(meta, key);
  return v.empty() ? "" : v[0];
}

}  // namespace defter::archive::pandoc_tree
