// Country names in any language, from maintained data (iso-codes, CLDR,
// i18n-iso-countries; see tools/gen_gazetteer.cpp), compiled in.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "defter/indexer/analysis.hpp"

namespace defter::indexer {

// A text's words as the country recogniser reads them: collected while the
// text is analysed for indexing (Analyzer::spans), so it is not analysed
// twice. Parts (a title, each paragraph) are added in order; a sentence
// ends where a part does.
class CountryText {
 public:
  // One word of `part`, as Analyzer::spans gives it (bytes [begin, end) of part).
  void add(std::string_view part, const Word& w, std::size_t begin, std::size_t end);
  // After a part's last word.
  void end_part() { part_ = nullptr; }

  struct Token {
    std::string term;          // folded
    std::size_t begin = 0;     // in its part
    bool joined = false;       // after an apostrophe inside one written word
    bool cap = false;          // begins with a capital, or its script has no case
    bool capitals = false;     // written all in capitals (up to an apostrophe)
    bool start = false;        // begins a sentence
    bool comma_after = false;  // a comma follows the word
    bool cjk = false;
    std::size_t sentence = 0;
  };
  std::vector<Token> take() && { return std::move(tokens_); }

 private:
  std::vector<Token> tokens_;
  const char* part_ = nullptr;  // the part the last word came from
};

// Thread-safe; per-language tables are built on first use.
class Gazetteer {
 public:
  static const Gazetteer& instance();

  // The countries a text in language `lang` names (UTF-8; paragraphs apart
  // by blank lines): names in that language by their exact written forms
  // ("Казахстана", "Kazakistan'ın", "Қазақстанда"), English names in any
  // text, CJK names inside CJK runs; the longest name at a place wins. A
  // name that is also a common word of the language ("mali", "того") counts
  // only with evidence (countries.cpp says which). tests/data/entities
  // holds the labelled set it is measured on.
  std::set<std::string> find(std::string_view text, std::string_view lang) const;
  // The same for words already broken out of the text.
  std::set<std::string> find(CountryText text, std::string_view lang) const;

  // The countries one word or phrase of a query names as a whole, in
  // language `lang` or English, by the same forms, capitals or not.
  std::vector<std::string> word_codes(std::string_view word, std::string_view lang) const;

  // True when `word` (its part before an apostrophe) is a country's name
  // that is also an ordinary word of `lang` (Turkish "sudan", "mali").
  bool common_word(std::string_view word, std::string_view lang) const;

  // The name to show for a country in a UI language: that language's, else
  // English, else the code itself.
  std::string label(std::string_view code, std::string_view ui_lang) const;

  // The codes a name stands for in any language or in its Latin
  // transliteration ("Казахстан", "Kazakistan", "Kazahstan", "kz" or "KZ"
  // all give KZ). Empty when nothing matches.
  std::vector<std::string> lookup(std::string_view name) const;

  // Every name of a country in one language (its primary subtag counts).
  std::vector<std::string> names(std::string_view code, std::string_view lang) const;

  struct Completion {
    std::string name;  // as the data spells it
    std::string code;  // ISO 3166-1 alpha-2
    std::string lang;  // the language of the name
  };
  // Names in any language (or their Latin transliteration) that begin with
  // `prefix` (folded: case, accents and i-dots ignored), one per country,
  // in folded alphabetical order; `name` is the country's label in
  // `ui_lang`, `lang` is `ui_lang` (or "en" when the label is English's).
  std::vector<Completion> complete(std::string_view prefix, std::size_t limit, std::string_view ui_lang) const;

  // How many names the table holds in all, and in how many languages.
  std::size_t names() const;
  std::size_t languages() const;

 private:
  Gazetteer() = default;
};

}  // namespace defter::indexer
