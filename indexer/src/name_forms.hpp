// The written forms of a country name's words: the rules of inflection the
// recogniser matches by, shared by the gazetteer generator (which asks the
// language's hunspell dictionary which forms are also common words) and the
// recogniser (which matches them). Plain UTF-8 string work, no ICU: the
// generator and the library both use it.
//
// Forms are exact, never stems: a stem joins Turkish "sudan" (from water)
// with "su", a form list does not.
//   - Russian: each word's case forms by its paradigm, read from its ending
//     (Казахстан → Казахстана, -у, -ом, -е; Киргизия → Киргизии, -ю, -ей;
//     Южная → Южной, -ую; Штаты → Штатов; Того, Перу, Мали: indeclinable).
//   - Kazakh, Kyrgyz, Uzbek: the name followed by case and possessive
//     suffixes written on to it (Қазақстанда, Кыргызстандын, Xitoyning); a
//     chain of up to three.
//   - Turkish and English write a suffix after an apostrophe
//     (Kazakistan'dan, Turkey's): the recogniser reads it from the text; the
//     name itself is the only form.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace defter::indexer::forms {

// The forms of one lower-cased word of a name in language `lang` (primary
// subtag), the word itself first.
std::vector<std::string> word_forms(std::string_view lang, const std::string& word);

// The suffixes a name may carry written on to it in `lang` (lower case);
// empty for languages that use an apostrophe or inflect the word itself.
const std::vector<std::string>& suffixes(std::string_view lang);

// How many suffixes may follow one another.
inline constexpr int kMaxSuffixChain = 3;

}  // namespace defter::indexer::forms
