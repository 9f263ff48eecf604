// Markdown files with front matter (internal to archive/), as Hugo and
// Jekyll sites keep them: read with their bodies kept as written (they
// are CommonMark already), and the archive written back in the same form.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "defter/schema/records.hpp"

namespace defter::archive::markdown {

// A Markdown file taken apart: the body without its front matter and
// footnote definitions, each reference [^label] made [n], and the
// definitions' Markdown text by n. Labels that are all numbers keep their
// numbers ([^5] is note 5, as the archive's own export writes them);
// others are numbered by first reference. A definition the text does not
// refer to is kept (numbered after the rest).
struct Parts {
  std::string body;
  std::vector<std::pair<int, std::string>> notes;  // in order of n
};
Parts split(const std::string& text);

// Text in front matter (a YAML double-quoted string) that pandoc reads back
// as the same text: Markdown punctuation escaped.
std::string yaml_text(const std::string& text);

// One translation of an article as a Markdown file: front matter (the
// article's fields in its original language's file, translation_of in the
// others), the body with [^n] references, the footnotes' text after it.
std::string file_of(const schema::Article& article, const std::string& lang);

}  // namespace defter::archive::markdown
