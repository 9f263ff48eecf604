// The country recogniser: its precision and recall on the labelled set
// (tests/data/entities), and the traps of each language one by one, what
// must be found and what must not.
#include <catch2/catch.hpp>

#include <iostream>

#include "defter/indexer/gazetteer.hpp"
#include "entity_eval.hpp"
#include "support.hpp"

using namespace defter;
using Codes = std::set<std::string>;

namespace {

Codes find(const std::string& text, const std::string& lang) { return indexer::Gazetteer::instance().find(text, lang); }

}  // namespace

TEST_CASE("the recogniser's precision and recall on the labelled set stay above their floors", "[indexer][entities]") {
  auto items = eval::read_labelled(test::source_dir() / "tests/data/entities");
  std::size_t en_tr_ru = 0, zh = 0, central_asian = 0;
  for (const auto& i : items) {
    en_tr_ru += i.lang == "en" || i.lang == "tr" || i.lang == "ru";
    zh += i.lang == "zh";
    central_asian += i.lang == "kk" || i.lang == "uz" || i.lang == "ky";
  }
  REQUIRE(en_tr_ru >= 400);
  REQUIRE(zh >= 40);
  REQUIRE(central_asian >= 40);
  auto report = eval::score(items, find);
  INFO(eval::format(report, true));
  CHECK(report.overall.precision() >= 0.97);
  CHECK(report.overall.recall() >= 0.97);
  for (const auto& [lang, s] : report.by_lang) {
    INFO("language " << lang);
    CHECK(s.precision() >= 0.95);
    CHECK(s.recall() >= 0.95);
  }
}

TEST_CASE("a common word that is also a country's name counts only with evidence", "[indexer][entities]") {
  // Turkish: mali (financial), sudan (from water), mısır (corn), gine (again).
  CHECK(find("Hükümet çiftçilere mali destek sağlayacak.", "tr").empty());
  CHECK(find("Mali destek paketi açıklandı.", "tr").empty());
  CHECK(find("Toplantıya Mali İşler Dairesi Başkanı katıldı.", "tr").empty());
  CHECK(find("Maliye Bakanlığı yeni düzenlemeyi duyurdu.", "tr").empty());
  CHECK(find("Köylüler sudan şikâyet ediyor.", "tr").empty());
  CHECK(find("Sudan başka bir şey ikram edilmedi.", "tr").empty());
  CHECK(find("Tarlalarda mısır hasadı başladı.", "tr").empty());
  CHECK(find("Mali'de darbe oldu.", "tr") == Codes{"ML"});                      // an apostrophe suffix
  CHECK(find("Fransa askerlerini Mali'den çekti.", "tr") == Codes{"FR", "ML"});
  CHECK(find("Kahire'de Mısır tarafı bir öneri sundu.", "tr") == Codes{"EG"});  // a capital mid-sentence
  CHECK(find("Mali, Nijer ve Burkina Faso ittifak kurdu.", "tr") == Codes{"BF", "ML", "NE"});  // neighbours
  CHECK(find("Sudan Cumhuriyeti yeni bir anayasa kabul etti.", "tr") == Codes{"SD"});          // a cue word
  // Russian: того (of that), перу (to the quill), чад (fumes).
  CHECK(find("Кроме того, стороны договорились о продлении.", "ru").empty());
  CHECK(find("Того же мнения придерживаются эксперты.", "ru").empty());
  CHECK(find("Над городом стоял чад.", "ru").empty());
  CHECK(find("Президент Того посетил Пекин.", "ru") == Codes{"TG"});
  CHECK(find("Республика Того расположена в Африке.", "ru") == Codes{"TG"});
  // English: turkey, guinea, chile, reunion, jersey.
  CHECK(find("We had a turkey sandwich.", "en").empty());
  CHECK(find("Guinea pigs were used in the tests.", "en").empty());
  CHECK(find("Chile peppers give the dish its heat.", "en").empty());
  CHECK(find("The class reunion was held in June.", "en").empty());
  CHECK(find("He wore a football jersey.", "en").empty());
  CHECK(find("Turkey's foreign minister visited Astana.", "en") == Codes{"TR"});
  CHECK(find("The railway links the Caspian to Turkey.", "en") == Codes{"TR"});
  CHECK(find("Turkey and the Turkic World", "en").empty());  // a title: no evidence
}

TEST_CASE("the longest name wins and a feature named after a country is not the country", "[indexer][entities]") {
  CHECK(find("Equatorial Guinea exports oil.", "en") == Codes{"GQ"});
  CHECK(find("Papua New Guinea joined in 2018.", "en") == Codes{"PG"});
  CHECK(find("Guinea-Bissau's cashews are exported.", "en") == Codes{"GW"});
  CHECK(find("South Sudan became independent in 2011.", "en") == Codes{"SS"});
  CHECK(find("The Dominican Republic shares an island.", "en") == Codes{"DO"});
  CHECK(find("Trade between Niger and Nigeria grew.", "en") == Codes{"NE", "NG"});
  CHECK(find("印度尼西亚是东南亚最大的经济体。", "zh") == Codes{"ID"});
  CHECK(find("印度和印度尼西亚都进口煤炭。", "zh") == Codes{"ID", "IN"});
  CHECK(find("索马里海岸的海盗活动减少了。", "zh") == Codes{"SO"});
  CHECK(find("中非关系近年来发展迅速。", "zh").empty());
  CHECK(find("中非共和国的局势依然紧张。", "zh") == Codes{"CF"});
  CHECK(find("Beyaz Rusya ile Rusya anlaştı.", "tr") == Codes{"BY", "RU"});
  CHECK(find("Togo is a small country on the Gulf of Guinea.", "en") == Codes{"TG"});
  CHECK(find("Lake Chad is shrinking.", "en").empty());
  CHECK(find("Çad Gölü küçülüyor.", "tr").empty());
}

TEST_CASE("names in their inflected, official and older forms", "[indexer][entities]") {
  CHECK(find("Делегация из Кыргызстана прибыла в Астану.", "ru") == Codes{"KG"});
  CHECK(find("Кыргызстаном подписано соглашение.", "ru") == Codes{"KG"});
  CHECK(find("Мигранты из Киргизии работают в России.", "ru") == Codes{"KG", "RU"});
  CHECK(find("Белоруссия и Молдавия подписали протокол.", "ru") == Codes{"BY", "MD"});
  CHECK(find("Торговля с Узбекистаном выросла, а в Китае замедлилась.", "ru") == Codes{"CN", "UZ"});
  CHECK(find("Товарооборот с Южной Кореей вырос.", "ru") == Codes{"KR"});
  CHECK(find("Kazakistan'dan ve Özbekistan'ın heyetleri geldi.", "tr") == Codes{"KZ", "UZ"});
  CHECK(find("The Kyrgyz Republic and the Republic of Korea signed.", "en") == Codes{"KG", "KR"});
  CHECK(find("Türkiye and Turkey are one country.", "en") == Codes{"TR"});
  CHECK(find("Қазақстанда және Қытайдың шекарасында.", "kk") == Codes{"CN", "KZ"});
  CHECK(find("Кыргызстандын мигранттары Орусияда иштешет.", "ky") == Codes{"KG", "RU"});
  CHECK(find("Xitoyning Qozogʻistondagi sarmoyalari.", "uz") == Codes{"CN", "KZ"});
  // Derived words and demonyms are not names.
  CHECK(find("Казахстанская делегация и китайские компании.", "ru").empty());
  CHECK(find("The Kazakh delegation met Chinese investors.", "en").empty());
  // An English name in another language's text.
  CHECK(find("Статья CGTN о Kazakhstan вышла вчера.", "ru") == Codes{"KZ"});
}

TEST_CASE("a query word names a country by any of its forms, capitals or not", "[indexer][entities]") {
  auto& g = indexer::Gazetteer::instance();
  CHECK(g.word_codes("казахстана", "ru") == std::vector<std::string>{"KZ"});
  CHECK(g.word_codes("Kazakistan'ın", "tr") == std::vector<std::string>{"KZ"});
  CHECK(g.word_codes("Кыргызстан", "ru") == std::vector<std::string>{"KG"});
  CHECK(g.word_codes("water", "en").empty());
  CHECK(g.common_word("sudan", "tr"));
  CHECK(g.common_word("Sudan", "tr"));
  CHECK_FALSE(g.common_word("Sudan", "ru"));
  CHECK_FALSE(g.common_word("Kazakistan", "tr"));
  // Transliterated names.
  CHECK(g.lookup("Kazahstan") == std::vector<std::string>{"KZ"});
  CHECK(g.lookup("Kyrgyzstan") == std::vector<std::string>{"KG"});
}

TEST_CASE("completion names countries in the reader's language", "[indexer][entities]") {
  auto& g = indexer::Gazetteer::instance();
  auto kaz = g.complete("Kaz", 5, "en");
  REQUIRE_FALSE(kaz.empty());
  CHECK(kaz[0].code == "KZ");
  CHECK(kaz[0].name == "Kazakhstan");
  auto tur = g.complete("Tür", 5, "tr");
  REQUIRE_FALSE(tur.empty());
  bool turkey = false;
  for (const auto& c : tur) turkey |= c.code == "TR" && c.name == "Türkiye";
  CHECK(turkey);
  for (const auto& c : g.complete("Kaz", 5, "ru")) CHECK((c.code != "KZ" || c.name == "Казахстан"));
}
