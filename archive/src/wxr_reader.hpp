// A WordPress export (WXR) read element by element (internal to archive/):
// libxml2's reader builds one <item> at a time, so an export of any size is
// read in bounded memory. What wxr.cpp makes of it is its own.
#pragma once

#include <libxml/tree.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "defter/archive/archive.hpp"

namespace defter::archive::wxr {

// Without the surrounding spaces, tabs and line breaks.
std::string trimmed(std::string s);

// A language as the archive writes tags: "pt-br" is pt-BR, "zh-hans" zh-Hans.
std::string canonical_lang(std::string tag);

// A post as its <item> holds it.
struct Post {
  std::uint64_t line = 0;
  std::string id, type, status, slug, title, link, date, modified, lang, group, content;
  std::vector<std::string> logins;                         // dc:creator, then co-authors
  std::vector<std::pair<std::string, std::string>> terms;  // categories and tags: (nicename, name)
  std::vector<std::pair<std::string, std::string>> block_notes;
};

// `with_content`: the post's HTML and its notes too (the first pass needs neither).
Post read_post(const xmlNode* item, std::uint64_t line, bool with_content);

struct WpAuthor {
  std::uint64_t line = 0;
  std::string login, display_name, first, last, description;
};

WpAuthor read_author(const xmlNode* node, std::uint64_t line);

// The export read element by element: the channel's language, its
// authors, and each item, built whole one at a time.
class Walk {
 public:
  struct Handlers {
    std::function<void(const std::string&)> language;
    std::function<void(const xmlNode*, std::uint64_t)> author;
    std::function<Status(const xmlNode*, std::uint64_t)> item;
  };

  // Reads `file`, calling the handlers in document order. An error names
  // the file and its line: XML that is not well-formed, or not an export.
  static Status run(const std::string& file, const Handlers& h);
};

}  // namespace defter::archive::wxr
