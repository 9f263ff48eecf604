// Per-language analysis: folding that suits each language, stemming, and
// apostrophes, as both the index and queries see words.
#include <fstream>
#include <set>
#include <tuple>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <unicode/unistr.h>

#include "defter/indexer/analysis.hpp"
#include "support.hpp"

using namespace defter::indexer;

namespace {

// The single word's (term, stem).
std::pair<std::string, std::string> one(const std::string& lang, const std::string& word) {
  Analyzer a(lang);
  auto words = a.analyze(word);
  REQUIRE(words.size() == 1);
  return {words[0].term, words[0].stem};
}

std::vector<std::string> terms(const std::string& lang, const std::string& text) {
  std::vector<std::string> out;
  for (auto& w : Analyzer(lang).analyze(text)) out.push_back(w.term);
  return out;
}

}  // namespace

TEST_CASE("Turkish dotted and dotless i never make a word unfindable", "[indexer]") {
  CHECK(one("tr", "İnsan") == one("tr", "insan"));
  CHECK(one("tr", "İLİŞKİLER") == one("tr", "ilişkiler"));
  // Typed without a Turkish keyboard, I stands for İ: the ı-as-i stem meets it.
  Analyzer tr("tr");
  auto caps = tr.analyze("ILIŞKILER")[0], lower = tr.analyze("ilişkiler")[0];
  CHECK(caps.term == lower.term);
  CHECK(caps.stem_alt == lower.stem);
  auto insan = tr.analyze("INSAN")[0];
  CHECK(insan.term == "insan");
  CHECK((insan.stem == one("tr", "insan").second || insan.stem_alt == one("tr", "insan").second));
  // Uppercase Turkish in an English context still meets the Turkish word.
  CHECK(one("en", "İnsan").first == one("tr", "insan").first);
  CHECK(one("tr", "ılık").first == "ilik");
}

TEST_CASE("Russian ё is е, and inflected forms share a stem", "[indexer]") {
  CHECK(one("ru", "ещё") == one("ru", "еще"));
  CHECK(one("ru", "придаёт").first == one("ru", "придает").first);
  for (const char* form : {"Казахстана", "Казахстаном", "Казахстане", "Казахстану"})
    CHECK(one("ru", form).second == one("ru", "Казахстан").second);
  for (const char* form : {"России", "Россией", "Россию"}) CHECK(one("ru", form).second == one("ru", "Россия").second);
}

TEST_CASE("stems at a fixed point join the forms Xapian's Turkish stemmer splits", "[indexer]") {
  CHECK(one("tr", "parolasını").second == one("tr", "parola").second);
  CHECK(one("tr", "Kazakistanın").second == one("tr", "Kazakistan").second);
  CHECK(one("tr", "ilişkilerini").second == one("tr", "ilişkiler").second);
}

TEST_CASE("accents do not matter", "[indexer]") {
  CHECK(one("tr", "Türkiye").first == one("tr", "Turkiye").first);
  CHECK(one("tr", "Başaran").first == one("tr", "Basaran").first);
  CHECK(one("fr", "État").first == "etat");
  CHECK(fold("Doğacan BAŞARAN") == "dogacan basaran");
}

TEST_CASE("apostrophe variants are one, and a suffix after one does not hide the word", "[indexer]") {
  for (const char* form : {"Kazakistan'ın", "Kazakistan’ın", "Kazakistanʼın", "Kazakistanʻın"})
    CHECK(terms("tr", form) == std::vector<std::string>{"kazakistan", "in"});
  CHECK(terms("tr", "Xi'nin") == std::vector<std::string>{"xi", "nin"});
  CHECK(terms("en", "Kazakhstan’s")[0] == "kazakhstan");
}

TEST_CASE("stemmers for every language Xapian ships, unstemmed otherwise", "[indexer]") {
  auto langs = stemmed_languages();
  for (const char* l : {"en", "tr", "ru", "ar", "de", "fr", "es"})
    CHECK(std::find(langs.begin(), langs.end(), l) != langs.end());
  for (const auto& l : langs) CHECK(Analyzer(l).has_stemmer());
  CHECK(one("en", "relations").second == one("en", "relation").second);
  CHECK(one("de", "Beziehungen").second == one("de", "Beziehung").second);
  CHECK(one("es", "relaciones").second == one("es", "relación").second);
  CHECK(one("ar", "العلاقات").second != "");
  CHECK_FALSE(Analyzer("kk").has_stemmer());
  CHECK(one("kk", "Қазақстан").second.empty());
}

TEST_CASE("Chinese comes out as runs for n-gram indexing and Latin words inside still are words", "[indexer]") {
  Analyzer zh("zh");
  auto words = zh.analyze("中国与哈萨克斯坦 C+C5 峰会");
  REQUIRE(words.size() >= 3);
  CHECK(words[0].cjk);
  CHECK(words[0].term == "中国与哈萨克斯坦");
  CHECK_FALSE(words[1].cjk);
  CHECK(words[1].term == "c");
  CHECK(words.back().cjk);
  CHECK(is_cjk_language("zh-Hans"));
  CHECK_FALSE(is_cjk_language("tr"));
}

TEST_CASE("an untranslated English paragraph is recognised", "[indexer]") {
  CHECK(looks_english("The imperial idea also shapes how Tehran reads its neighbours' alliances and the role of the West."));
  CHECK_FALSE(looks_english("Sonuç olarak İran'ın bölgesel politikasını anlamak için ideoloji kadar tarihsel hafızayı da hesaba katmak gerekir."));
  CHECK_FALSE(looks_english("The"));
}

TEST_CASE("words with given initials are those every word's analysis gives, with the same places", "[indexer]") {
  // Every string of the sample archive, and cases at the edges of words.
  std::vector<std::string> texts = {
      "l'État et Kazakistan’ın foo_bar x2023abc 2023'te (́ecole) école",
      "ภาษาไทย Thai คำ kaz",
      "中国 与 Kazakhstan 中 亚 合作 and köprü «quoted» “kaz”",
      "Астана-Пекин: «ёлка» — ЕАЭС\n\nИстанбул"};
  for (const char* f : {"10-authors.jsonl", "20-articles.jsonl", "30-translations.jsonl", "40-manual-page.jsonl"}) {
    std::ifstream in(defter::test::source_dir() / "tools" / "sample" / f);
    REQUIRE(in);
    std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& j) {
      if (j.is_string() && j.get<std::string>().size() >= 40) texts.push_back(j.get<std::string>());
      if (j.is_structured())
        for (const auto& v : j) walk(v);
    };
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) walk(nlohmann::json::parse(line));
  }
  REQUIRE(texts.size() > 50);
  using Span = std::tuple<std::string, std::size_t, std::size_t>;
  auto first = [](const std::string& term) {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(term);
    return u.isEmpty() ? U'\0' : static_cast<char32_t>(u.char32At(0));
  };
  std::size_t compared = 0;
  for (const char* lang : {"en", "tr", "ru", "zh"}) {
    Analyzer an(lang);
    for (const auto& text : texts) {
      std::vector<Span> all_words;
      std::vector<char32_t> seen;
      an.spans(text, [&](const Word& w, std::size_t b, std::size_t e) {
        all_words.emplace_back(w.term, b, e);
        if (!w.cjk) seen.push_back(first(w.term));
      });
      // Initials of a rare and a common letter of this text, one at a time and together.
      std::vector<std::u32string> sets;
      if (!seen.empty()) {
        sets.push_back(std::u32string(1, seen[seen.size() / 3]));
        sets.push_back(std::u32string(1, seen.back()));
        sets.push_back(sets[0] + sets[1]);
      }
      sets.push_back(U"kçи");
      for (const auto& initials : sets) {
        auto keep = [&](const std::string& term) { return initials.find(first(term)) != std::u32string::npos; };
        std::vector<Span> expected, got;
        for (const auto& s : all_words)
          if (keep(std::get<0>(s))) expected.push_back(s);
        an.spans(text, initials, [&](const Word& w, std::size_t b, std::size_t e) {
          if (keep(w.term)) got.emplace_back(w.term, b, e);
        });
        INFO(lang << ": " << text.substr(0, 80));
        CHECK(got == expected);
        compared += expected.size();
      }
    }
  }
  CHECK(compared > 1000);
}
