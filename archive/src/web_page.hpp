// A web page saved from a site (internal to archive/), read by a site
// profile: XPath expressions that say where the page keeps its title,
// date, authors, language, body and footnotes, and what in the body is not
// the article (sharing buttons, "also available in" lines).
#pragma once

#include <string>
#include <vector>

#include "defter/archive/archive.hpp"

namespace defter::archive::web {

struct Profile {
  std::string title, date, authors, lang, body, footnotes;
  std::vector<std::string> remove;
};

// The profile in a JSON file ({"title": XPATH, ..., "remove": [XPATH...]});
// body is required. An error names the file and the key.
Result<Profile> read_profile(const std::string& file);

struct Page {
  std::string title, date, lang;
  std::vector<std::string> authors;
  std::string body_html;  // the body, without what the profile removes and without the footnotes
  std::vector<std::string> footnotes;  // each note's text, in order, without its leading number
  std::vector<int> numbers;            // each note's number ("[3] ..." is 3; else its place)
};

// Reads `file` (HTML, UTF-8 unless it says otherwise) by `profile`. An
// error names the file and the profile's key whose expression found nothing
// or is not XPath.
Result<Page> read_page(const std::string& file, const Profile& profile,
                       const std::string& profile_name);

}  // namespace defter::archive::web
