// Reading pandoc's JSON tree (internal to archive/): a tree's text, its
// metadata, and taking its footnotes, images and tables out.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace defter::archive::pandoc_tree {

using nlohmann::json;

// Whether `v` is a node of that type ({"t": TYPE, ...}).
bool is_node(const json& v, const char* type);

// A tree's text as one line: words, quotes and links (text, then the
// address when it is not the text); no notes, images or raw markup.
std::string plain_text(const json& v);

// What a file's tree holds once its notes, images and tables are out.
struct Extracted {
  std::vector<std::string> notes;
  std::vector<std::string> dropped;  // "image 'A map' (map.png)", "table 1 ('Trade')"
  int tables = 0;
};

// Takes the notes, images and tables (and Word's captions) out of `v` (a
// tree's blocks or any part of them), each note replaced by its marker [n].
void extract(json& v, Extracted& x);

// A metadata value as text, or each of a list's values; the first of them.
std::vector<std::string> meta_values(const json& meta, const char* key);
std::string meta_value(const json& meta, const char* key);

}  // namespace defter::archive::pandoc_tree
