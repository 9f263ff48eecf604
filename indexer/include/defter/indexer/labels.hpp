// Labels in the reader's language, from ICU: the facets', and the names
// the server gives the archive's languages (OAI-PMH sets).
#pragma once

#include <string>

namespace defter::indexer {

// A language's name in `ui` ("tr" in "en": "Turkish"); the tag when ICU has none.
std::string language_label(const std::string& lang, const std::string& ui);
// "2023-05" in `ui`: "May 2023", "Mayıs 2023".
std::string month_label(const std::string& yyyy_mm, const std::string& ui);
// The year facet's value for undated articles, in `ui` (en, tr, ru; else English).
std::string undated_label(const std::string& ui);

}  // namespace defter::indexer
