// Footnotes given as plain text: the seed's 19 notes as the institute
// publishes them, and notes of the other common shapes in English, Turkish
// and Russian, each field checked.
#include <catch2/catch.hpp>

#include "defter/schema/footnotes.hpp"

using namespace defter::schema;

namespace {

struct Want {
  const char* text;
  const char* title;      // nullptr: none
  const char* publisher;  // nullptr: none
  const char* url;        // nullptr: none
  const char* accessed;   // nullptr: none
};

void check(const Want& w) {
  INFO(w.text);
  CitedSource s = read_footnote(w.text);
  CHECK_FALSE(s.ibid);
  auto same = [](const std::optional<std::string>& got, const char* want) {
    return want ? got && *got == want : !got;
  };
  CHECK(same(s.title, w.title));
  INFO("title: " << s.title.value_or("(none)") << " publisher: " << s.publisher.value_or("(none)"));
  CHECK(same(s.publisher, w.publisher));
  CHECK(same(s.url, w.url));
  CHECK(same(s.accessed, w.accessed));
}

}  // namespace

TEST_CASE("the seed's footnotes, as published, give title, publisher and access date", "[schema][footnotes]") {
  const char* d = "2023-05-20";
  const Want seed[] = {
      {"“Kazakhstan to host next China-Central Asia Summit in 2025”, AKI Press,, (Date of Accession: 20.05.2023).",
       "Kazakhstan to host next China-Central Asia Summit in 2025", "AKI Press", nullptr, d},
      {"“Казахстан И Китай Подписали Внушительный Пакет Инвестиций”,,, (Date of Accession: 20.05.2023).",
       "Казахстан И Китай Подписали Внушительный Пакет Инвестиций", nullptr, nullptr, d},
      {"“Казахстан и Китай создадут совместные культурные центры”, Central Asia News,, (Date of Accession: 20.05.2023).",
       "Казахстан и Китай создадут совместные культурные центры", "Central Asia News", nullptr, d},
      {"Aktilek Musaeva, “Forging a Shared Future: Kyrgyzstan-China Relations in Focus”, CGTN,, (Date of Accession: 20.05.2023).",
       "Forging a Shared Future: Kyrgyzstan-China Relations in Focus", "CGTN", nullptr, d},
      {"Emrah Kaya, “The Missing Ring of the Middle Line and the Belt-Road is Kyrgyzstan”, ANKASAM,, (Date of Accession: 20.05.2023).",
       "The Missing Ring of the Middle Line and the Belt-Road is Kyrgyzstan", "ANKASAM", nullptr, d},
      {"“Подписан трехсторонний документ, определяющий следующие шаги по проекту строительства железной дороги "
       "«Китай-Кыргызстан-Узбекистан»”, Uz Daily,, (Date of Accession: 20.05.2023).",
       "Подписан трехсторонний документ, определяющий следующие шаги по проекту строительства железной дороги "
       "«Китай-Кыргызстан-Узбекистан»",
       "Uz Daily", nullptr, d},
      {"“Chinese Companies Invest in Uzbekistan Solar Farms”, Investment Monitor,, (Date of Accession: 20.05.2023).",
       "Chinese Companies Invest in Uzbekistan Solar Farms", "Investment Monitor", nullptr, d},
      {"“China, Tajikistan to Push Mutual Beneficial Cooperation: Joint Statement”, CGTN,, (Date of Accession: 20.05.2023).",
       "China, Tajikistan to Push Mutual Beneficial Cooperation: Joint Statement", "CGTN", nullptr, d},
      {"“Таджикистан и Китай проведут совместные учения против терроризма”, Central Asia News,, (Date of Accession: 20.05.2023).",
       "Таджикистан и Китай проведут совместные учения против терроризма", "Central Asia News", nullptr, d},
      {"“По итогам туркмено-китайских переговоров в верхах подписаны двусторонние документы”, Orient,, (Date of Accession: 20.05.2023).",
       "По итогам туркмено-китайских переговоров в верхах подписаны двусторонние документы", "Orient", nullptr, d},
      {"“Çin-Orta Asya Zirvesi’nin Sonuç Bildirgesi İmzalandı”, Aydınlık,, (Date of Accession: 20.05.2023).",
       "Çin-Orta Asya Zirvesi’nin Sonuç Bildirgesi İmzalandı", "Aydınlık", nullptr, d},
      {"“China Ready to Make Pie of Cooperation Bigger with Tajikistan: Premier”, China Daily,, (Date of Accession: 20.05.2023).",
       "China Ready to Make Pie of Cooperation Bigger with Tajikistan: Premier", "China Daily", nullptr, d},
      {"“Serdar Berdimuhamedov Proposed A New Format for Consultations Between Central Asian Countries and China”, Orient,, "
       "(Date of Accession: 20.05.2023).",
       "Serdar Berdimuhamedov Proposed A New Format for Consultations Between Central Asian Countries and China", "Orient", nullptr, d},
  };
  for (const auto& w : seed) check(w);

  // Ibid. takes the previous note's source; every note keeps its text.
  std::vector<Footnote> notes;
  int n = 0;
  for (const char* text : {seed[2].text, "Ibid.", seed[3].text, "Ibid.", "Ibid."}) notes.push_back({++n, text, {}, {}, {}, {}});
  complete_footnotes(notes);
  CHECK(notes[1].publisher == std::optional<std::string>("Central Asia News"));
  CHECK(notes[1].title == notes[0].title);
  CHECK(notes[1].text == "Ibid.");
  CHECK_FALSE(notes[1].accessed);
  CHECK(notes[3].publisher == std::optional<std::string>("CGTN"));
  CHECK(notes[4].publisher == std::optional<std::string>("CGTN"));
  CHECK(notes[2].text == seed[3].text);
  // Again: nothing changes (the notes now carry fields of their own).
  auto again = notes;
  complete_footnotes(again);
  CHECK(again == notes);
}

TEST_CASE("footnotes of the common shapes in three languages", "[schema][footnotes]") {
  const Want notes[] = {
      // The seed's shape with an address.
      {"“Tokayev Meets Xi in Astana”, Kazinform, https://www.inform.kz/en/tokayev-meets-xi, (Date of Accession: 03.07.2024).",
       "Tokayev Meets Xi in Astana", "Kazinform", "https://www.inform.kz/en/tokayev-meets-xi", "2024-07-03"},
      {"“Water Talks Resume”, The Diplomat, (Date of Access: 1.2.2024).", "Water Talks Resume", "The Diplomat", nullptr, "2024-02-01"},
      {"Timur Dadabaev, “Japan’s Search for Its Central Asian Policy”, Asian Survey,, (Date of Accession: 14.11.2022).",
       "Japan’s Search for Its Central Asian Policy", "Asian Survey", nullptr, "2022-11-14"},
      // Turkish.
      {"“Kazakistan ile Çin arasında yeni anlaşma”, Anadolu Ajansı, https://www.aa.com.tr/tr/dunya/kazakistan-cin/2890123, "
       "(Erişim Tarihi: 20.05.2023).",
       "Kazakistan ile Çin arasında yeni anlaşma", "Anadolu Ajansı", "https://www.aa.com.tr/tr/dunya/kazakistan-cin/2890123", "2023-05-20"},
      {"“Özbekistan’da Reform Süreci”, ANKASAM,, (Erişim Tarihi: 02.03.2023).", "Özbekistan’da Reform Süreci", "ANKASAM", nullptr,
       "2023-03-02"},
      {"Emrah Kaya, “Orta Koridor ve Türkiye”, Ankara Kriz ve Siyaset Araştırmaları Merkezi, (Erişim tarihi: 11.09.2023).",
       "Orta Koridor ve Türkiye", "Ankara Kriz ve Siyaset Araştırmaları Merkezi", nullptr, "2023-09-11"},
      {"“Türkmenistan doğal gaz ihracatını artırıyor”, Dünya, https://www.dunya.com/dunya/turkmenistan-gaz.",
       "Türkmenistan doğal gaz ihracatını artırıyor", "Dünya", "https://www.dunya.com/dunya/turkmenistan-gaz", nullptr},
      {"“Kırgızistan’da seçim”, TRT Haber, 15 Ekim 2024, (Erişim Tarihi: 16.10.2024).", "Kırgızistan’da seçim", "TRT Haber", nullptr,
       "2024-10-16"},
      {"“Tacikistan ve Afganistan sınırı”, Aydınlık, Erişim: 05.06.2023.", "Tacikistan ve Afganistan sınırı", "Aydınlık", nullptr,
       "2023-06-05"},
      // Russian (GOST).
      {"Иванов И. И. Китай и Центральная Азия // Коммерсантъ. 2023. URL: https://www.kommersant.ru/doc/5987654 (дата обращения: 20.05.2023).",
       "Китай и Центральная Азия", "Коммерсантъ", "https://www.kommersant.ru/doc/5987654", "2023-05-20"},
      {"Петрова А.В. Водные ресурсы региона // Ведомости, 12.04.2022. URL: https://www.vedomosti.ru/economics/articles/2022/04/12/water "
       "(дата обращения: 13.04.2022).",
       "Водные ресурсы региона", "Ведомости", "https://www.vedomosti.ru/economics/articles/2022/04/12/water", "2022-04-13"},
      {"Саммит «Китай — Центральная Азия» // РИА Новости. URL: https://ria.ru/20230519/sammit.html (дата обращения: 19.05.2023).",
       "Саммит «Китай — Центральная Азия»", "РИА Новости", "https://ria.ru/20230519/sammit.html", "2023-05-19"},
      {"Соколова И. Туркменский газ // Эксперт. 2021. № 4.", "Туркменский газ", "Эксперт", nullptr, nullptr},
      {"“Казахстан и Китай подписали соглашения”, Central Asia News, (Дата обращения: 21.05.2023).",
       "Казахстан и Китай подписали соглашения", "Central Asia News", nullptr, "2023-05-21"},
      {"«Узбекистан открывает рынок», Газета.uz, https://www.gazeta.uz/ru/2023/05/20/market/ (дата обращения: 20.05.2023).",
       "Узбекистан открывает рынок", "Газета.uz", "https://www.gazeta.uz/ru/2023/05/20/market/", "2023-05-20"},
      // Chicago-like.
      {"Alexander Cooley, “The Emerging Political Economy of OBOR,” Center for Strategic and International Studies, October 24, 2016, "
       "https://www.csis.org/analysis/emerging-political-economy-obor.",
       "The Emerging Political Economy of OBOR", "Center for Strategic and International Studies",
       "https://www.csis.org/analysis/emerging-political-economy-obor", nullptr},
      {"Bruce Pannier, “Kyrgyzstan’s New Constitution,” RFE/RL, January 12, 2021, https://www.rferl.org/a/31040000.html, accessed May 2, 2023.",
       "Kyrgyzstan’s New Constitution", "RFE/RL", "https://www.rferl.org/a/31040000.html", "2023-05-02"},
      {"Temur Umarov, “China Looms Large in Central Asia,” Carnegie Endowment, March 30, 2020.", "China Looms Large in Central Asia",
       "Carnegie Endowment", nullptr, nullptr},
      {"“Kazakhstan: The Oil Giant,” The Economist, 12 June 2019, accessed 3 July 2023.", "Kazakhstan: The Oil Giant", "The Economist",
       nullptr, "2023-07-03"},
      {"Nargis Kassenova, “China’s Silk Road and Kazakhstan’s Bright Path,” PONARS Eurasia, Accessed 2023-06-01.",
       "China’s Silk Road and Kazakhstan’s Bright Path", "PONARS Eurasia", nullptr, "2023-06-01"},
      {"“Tajikistan Debt Report,” World Bank, May 2023, https://www.worldbank.org/en/country/tajikistan/publication/debt.",
       "Tajikistan Debt Report", "World Bank", "https://www.worldbank.org/en/country/tajikistan/publication/debt", nullptr},
      {"\"Uzbekistan's Energy Reform\", Eurasianet, https://eurasianet.org/uzbekistan-energy-reform (Accessed 20.05.2023).",
       "Uzbekistan's Energy Reform", "Eurasianet", "https://eurasianet.org/uzbekistan-energy-reform", "2023-05-20"},
      // A bare address, and prose with none of the shapes.
      {"https://www.gov.kz/memleket/entities/mfa/press/news/details/512345", nullptr, nullptr,
       "https://www.gov.kz/memleket/entities/mfa/press/news/details/512345", nullptr},
      {"http://www.president.uz/en/lists/view/6234.", nullptr, nullptr, "http://www.president.uz/en/lists/view/6234", nullptr},
      // A scheme in capitals is read, and kept in the lower case the url field requires.
      {"HTTPS://Example.org/Report", nullptr, nullptr, "https://Example.org/Report", nullptr},
      {"htTp://example.org/x", nullptr, nullptr, "http://example.org/x", nullptr},
      {"See, for a fuller account, the author's earlier work on the region.", nullptr, nullptr, nullptr, nullptr},
      {"Interview with a Kazakh official, Astana, March 2023.", nullptr, nullptr, nullptr, nullptr},
      {"Yazarın Bişkek'te yaptığı görüşme, Mart 2023.", nullptr, nullptr, nullptr, nullptr},
      {"Беседа автора с экспертом, Бишкек, март 2023 г.", nullptr, nullptr, nullptr, nullptr},
      // A date that is no date stays unset.
      {"“Report”, Orient,, (Date of Accession: 31.02.2023).", "Report", "Orient", nullptr, nullptr},
      {"“Report”, Orient, (Date of Accession: soon).", "Report", "Orient", nullptr, nullptr},
      // A long sentence after the title is no publisher.
      {"“Report”, which was published by several agencies of the region at once in the spring of that year, 2023.", "Report", nullptr,
       nullptr, nullptr},
  };
  for (const auto& w : notes) check(w);
}

TEST_CASE("Ibid. in the three languages, and a first note that says Ibid.", "[schema][footnotes]") {
  for (const char* text : {"Ibid.", "ibid., p. 4.", "Ibidem.", "İbid.", "a.g.e., s. 12.", "Age.", "Aynı eser.", "Там же.", "Там же. С. 5."}) {
    INFO(text);
    CHECK(read_footnote(text).ibid);
  }
  for (const char* text : {"Ibidem Press, “Title”, 2020.", "Agency report, 2023.", "Тамбов, 2020."}) {
    INFO(text);
    CHECK_FALSE(read_footnote(text).ibid);
  }
  std::vector<Footnote> notes{{1, "Ibid.", {}, {}, {}, {}}};
  complete_footnotes(notes);
  CHECK_FALSE(notes[0].publisher);
  CHECK(notes[0].text == "Ibid.");
}

TEST_CASE("a Chinese note's access date is read, so that the page does not say it twice", "[schema][footnotes]") {
  CHECK(read_footnote("《数字丝绸之路建设进展》，新华社，（访问日期：2023年8月1日）。").accessed == "2023-08-01");
  CHECK(read_footnote("“Kazakhstan to host next China-Central Asia Summit in 2025”, AKI Press, (访问日期：2023年5月20日).").accessed ==
        "2023-05-20");
  CHECK(read_footnote("访问时间: 2024年12月3日").accessed == "2024-12-03");
  // Not a date: nothing.
  CHECK(!read_footnote("（访问日期：2023年13月40日）").accessed.has_value());
  CHECK(!read_footnote("2023年5月20日的报道").accessed.has_value());  // a date, but no access mark
}

TEST_CASE("a Chinese note's title in 《》 and its publisher after a full-width comma", "[schema][footnotes]") {
  CitedSource s = read_footnote("《数字丝绸之路建设进展》，新华社，（访问日期：2023年8月1日）。");
  CHECK(s.title == "数字丝绸之路建设进展");
  CHECK(s.publisher == "新华社");
  CHECK(s.accessed == "2023-08-01");
  s = read_footnote("《中亚电子商务发展报告》，中国日报，https://example.cn/report，（访问日期：2023年8月2日）。");
  CHECK(s.title == "中亚电子商务发展报告");
  CHECK(s.publisher == "中国日报");
  CHECK(s.url == "https://example.cn/report");  // to the full-width comma
  // What must not be read: no publisher after the title, nor a date for one.
  s = read_footnote("《中亚电子商务发展报告》，（访问日期：2023年8月2日）。");
  CHECK(s.title == "中亚电子商务发展报告");
  CHECK_FALSE(s.publisher.has_value());
  s = read_footnote("《中亚电子商务发展报告》，2023年8月2日。");
  CHECK_FALSE(s.publisher.has_value());
  CHECK_FALSE(read_footnote("见上文第三节。").title.has_value());  // no 《》: no title
}
