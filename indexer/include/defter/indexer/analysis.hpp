// Per-language text analysis, the same for indexing and for queries.
//
// Stems are taken to a fixed point (the stemmer applied again until nothing
// changes, at most four times, and never below four letters): Xapian's
// Turkish and Russian stemmers split
// forms of one word ("parola" -> "parol" but "parolasını" -> "parola";
// "Казахстан" -> "казахста" but "Казахстаном" -> "казахстан"), and a second
// pass joins them. tools/bench/stemming measures the effect on real text.
//
// Each word yields two terms: the word folded (lower case, accents and other
// marks removed, Turkish dotted and dotless i made one, Russian ё = е), and
// the stem of the word lowercased by its language's rules, folded the same
// way after stemming. So the stemmer sees real spelling ("ılışkıler" is not
// "ilişkiler" to it), while matching ignores case, accents and i-dots.
// Apostrophe variants (' ’ ʻ ʼ) are one character, and a word is split at
// it: "Kazakistan'ın" gives "kazakistan" and "ın", "l'État" gives "l" and
// "etat". Chinese, Japanese and Korean ideographic runs are returned whole
// for n-gram indexing.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace defter::indexer {

struct Word {
  std::string lower;  // lower case by the language's rules, not folded (for spelling suggestions)
  std::string term;  // folded form
  std::string stem;  // folded stem; empty when the language has no stemmer
  std::string stem_alt;  // Turkic languages: the stem with ı read as i, when it differs
  bool cjk = false;  // a run of CJK characters: term holds the run, unfolded
};

// Analyses text in one language. Not thread-safe (stemmers keep state): one
// per thread.
class Analyzer {
 public:
  // `lang` is a BCP 47 tag; its primary subtag picks the stemmer. Languages
  // without a Xapian stemmer are indexed unstemmed.
  explicit Analyzer(std::string_view lang);
  ~Analyzer();
  Analyzer(Analyzer&&) noexcept;
  Analyzer& operator=(Analyzer&&) noexcept;

  const std::string& lang() const;
  bool has_stemmer() const;

  // Calls fn for every word of text (UTF-8), in order.
  void words(std::string_view text, const std::function<void(const Word&)>& fn) const;
  // words() with each word's place in text: bytes [begin, end). The parts
  // of a word split at an apostrophe share the word's range; a CJK run's
  // range covers the run. REQUIRES: text is valid UTF-8 (else the offsets
  // are those of the text with invalid bytes replaced).
  void spans(std::string_view text,
             const std::function<void(const Word&, std::size_t begin, std::size_t end)>& fn) const;
  // spans() of the words whose first letter, folded, is in `initials` (and
  // of every CJK run and every word with an apostrophe): what a highlighter
  // needs, without analysing the words that cannot match.
  void spans(std::string_view text, const std::u32string& initials,
             const std::function<void(const Word&, std::size_t begin, std::size_t end)>& fn) const;
  // The terms of one word or short phrase, as words() would give them.
  std::vector<Word> analyze(std::string_view text) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Folding alone: lower case (root rules), marks removed, ı → i. For terms
// that are not stemmed (names, publishers).
std::string fold(std::string_view text);

// The text in Latin letters, folded as fold() does: ICU's transliteration
// of any script to Latin, then to ASCII ("Соколова" → "sokolova", "Башаран"
// and "Başaran" → "basaran", "Қазақстан" → "kazakstan"). Names written in
// one script are found by a query in another through it. Empty for CJK text
// (its transliteration is no name anyone types).
std::string latin_folded(std::string_view text);

// The words of a latin_folded() text: its runs of ASCII letters and digits.
std::vector<std::string> latin_words(std::string_view latin);

// The languages Xapian has a stemmer for, as ISO 639-1 codes where one exists.
std::vector<std::string> stemmed_languages();

// True when a paragraph written in another language reads as English (enough
// English function words): an untranslated passage.
bool looks_english(std::string_view paragraph);

// True for a tag whose text is indexed with CJK n-grams (zh, ja, ko).
bool is_cjk_language(std::string_view lang);

}  // namespace defter::indexer
