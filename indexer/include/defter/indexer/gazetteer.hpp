// Country names in any language, from maintained data (iso-codes, CLDR,
// i18n-iso-countries; see tools/gen_gazetteer.cpp), compiled in.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "defter/indexer/analysis.hpp"

namespace defter::indexer {

// Thread-safe; per-language tables are built on first use.
class Gazetteer {
 public:
  static const Gazetteer& instance();

  // The countries named in `words` (the words of a text in language `lang`,
  // as its Analyzer gives them): names in that language match by stem, so
  // inflected forms count ("Казахстана", "Kazakistan'ın"); English names
  // match in any text; CJK names match inside CJK runs.
  std::set<std::string> find(const std::vector<Word>& words, std::string_view lang) const;

  // The name to show for a country in a UI language: that language's, else
  // English, else the code itself.
  std::string label(std::string_view code, std::string_view ui_lang) const;

  // The codes a name stands for in any language ("Казахстан", "Kazakistan",
  // "kz" or "KZ" all give KZ). Empty when nothing matches.
  std::vector<std::string> lookup(std::string_view name) const;

  // Every name of a country in one language (its primary subtag counts).
  std::vector<std::string> names(std::string_view code, std::string_view lang) const;

  struct Completion {
    std::string name;  // as the data spells it
    std::string code;  // ISO 3166-1 alpha-2
    std::string lang;  // the language of the name
  };
  // Names in any language that begin with `prefix` (folded: case, accents
  // and i-dots ignored), one per country, in folded alphabetical order.
  std::vector<Completion> complete(std::string_view prefix, std::size_t limit) const;

  // How many names the table holds in all, and in how many languages.
  std::size_t names() const;
  std::size_t languages() const;

 private:
  Gazetteer() = default;
};

}  // namespace defter::indexer
