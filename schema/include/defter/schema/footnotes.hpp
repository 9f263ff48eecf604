// Footnotes given as plain text, as institutes print them, read into the
// fields a citation has (title, publisher, URL, access date), the text kept
// as it is. The shapes read:
//   the seed's      “Title”, Publisher,, (Date of Accession: 20.05.2023).
//   Turkish         “Başlık”, Yayıncı, https://…, (Erişim Tarihi: 20.05.2023).
//   Russian (GOST)  Автор. Название // Издание. 2023. URL: https://… (дата обращения: 20.05.2023).
//   Chicago-like    Author, “Title,” Publisher, May 20, 2023, https://….
//   a bare URL      https://…
//   Ibid.           Ibid., İbid., a.g.e., Age., Aynı eser, Там же: the previous note's source
// What the text does not show stays unset; nothing is guessed from
// unquoted prose.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "defter/schema/records.hpp"

namespace defter::schema {

struct CitedSource {
  std::optional<std::string> title, publisher, url;
  std::optional<std::string> accessed;  // YYYY-MM-DD (or YYYY-MM, YYYY)
  bool ibid = false;                    // "the same as the previous note"
};

// Reads one footnote's text.
CitedSource read_footnote(const std::string& text);

// Fills the fields of every footnote that has only its text (n and text),
// from the text; an Ibid. note takes the previous note's title, publisher
// and URL. Notes that carry any field of their own are left as given, so
// running it again changes nothing.
void complete_footnotes(std::vector<Footnote>& notes);

}  // namespace defter::schema
