#include "name_forms.hpp"

#include <initializer_list>
#include <map>

namespace defter::indexer::forms {
namespace {

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The Russian case forms: the word without `drop` (its ending), followed by
// each ending.
std::vector<std::string> russian(const std::string& w) {
  auto with = [&](std::string_view drop, std::initializer_list<const char*> endings) {
    std::vector<std::string> out{w};
    std::string stem = w.substr(0, w.size() - drop.size());
    for (const char* e : endings)
      if (stem + e != w) out.push_back(stem + e);
    return out;
  };
  // Adjectives first: their endings are also noun endings.
  if (ends_with(w, "ая")) return with("ая", {"ой", "ую", "ою"});
  if (ends_with(w, "яя")) return with("яя", {"ей", "юю", "ею"});
  if (ends_with(w, "ые")) return with("ые", {"ых", "ым", "ыми"});
  if (ends_with(w, "ие")) return with("ие", {"их", "им", "ими"});
  if (ends_with(w, "ое")) return with("ое", {"ого", "ому", "ым", "ом"});
  if (ends_with(w, "ый")) return with("ый", {"ого", "ому", "ым", "ом"});
  if (ends_with(w, "ий")) return with("ий", {"ого", "ому", "им", "ом", "его", "ему", "ем"});
  // Nouns.
  if (ends_with(w, "ия")) return with("я", {"и", "ю", "ей", "ею"});
  if (ends_with(w, "я")) return with("я", {"и", "е", "ю", "ей", "ею"});
  if (ends_with(w, "а")) return with("а", {"ы", "и", "е", "у", "ой", "ою"});
  if (ends_with(w, "ы")) return with("ы", {"ов", "ам", "ами", "ах"});
  if (ends_with(w, "й")) return with("й", {"я", "ю", "ем", "е"});
  if (ends_with(w, "ь")) return with("ь", {"я", "ю", "ем", "е", "и", "ью"});
  // Borrowed names ending in a vowel (Того, Перу, Мали, Чили) do not decline.
  for (const char* v : {"о", "е", "ё", "у", "ю", "и", "э"})
    if (ends_with(w, v)) return {w};
  // A name of fewer than three letters (ЮАР, США are written in capitals
  // and do not decline; a lower-case two-letter word is no name).
  if (w.size() < 6) return {w};
  return with("", {"а", "у", "ом", "е"});
}

const std::map<std::string, std::vector<std::string>, std::less<>>& suffix_table() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> t = {
      {"kk",
       {"да", "де", "та", "те", "нда", "нде", "на", "не", "ға", "ге", "қа", "ке", "а", "е", "ның", "нің", "дың",
        "дің", "тың", "тің", "ны", "ні", "ды", "ді", "ты", "ті", "н", "мен", "бен", "пен", "нан", "нен", "дан",
        "ден", "тан", "тен", "ы", "і", "сы", "сі", "дағы", "дегі", "тағы", "тегі", "ндағы", "ндегі", "лар", "лер",
        "дар", "дер", "тар", "тер", "ша", "ше"}},
      {"ky",
       {"да", "де", "до", "дө", "та", "те", "то", "тө", "нда", "нде", "ндо", "ндө", "нын", "нин", "нун", "нүн",
        "дын", "дин", "дун", "дүн", "тын", "тин", "тун", "түн", "га", "ге", "го", "гө", "ка", "ке", "ко", "кө",
        "а", "е", "о", "ө", "ны", "ни", "ну", "нү", "ды", "ди", "ду", "дү", "ты", "ти", "ту", "тү", "н", "дан",
        "ден", "дон", "дөн", "тан", "тен", "тон", "төн", "нан", "нен", "нон", "нөн", "дагы", "деги", "догу",
        "дөгү", "тагы", "теги", "тогу", "төгү", "ндагы", "ндеги", "ы", "и", "у", "ү", "сы", "си", "су", "сү",
        "лар", "лер", "лор", "лөр", "дар", "дер", "дор", "дөр", "тар", "тер", "тор", "төр"}},
      {"uz",
       {"da", "dan", "ga", "ka", "qa", "ning", "ni", "dagi", "lar", "i", "si", "ga", "gacha", "day", "dek",
        "cha"}},
  };
  return t;
}

}  // namespace

std::vector<std::string> word_forms(std::string_view lang, const std::string& word) {
  if (lang == "ru") return russian(word);
  return {word};
}

const std::vector<std::string>& suffixes(std::string_view lang) {
  static const std::vector<std::string> none;
  const auto& t = suffix_table();
  auto it = t.find(lang);
  return it == t.end() ? none : it->second;
}

}  // namespace defter::indexer::forms
