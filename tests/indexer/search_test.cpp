// The search API on the sample archive: real text in English, Turkish,
// Russian and Chinese, and Debian's translated passwd(1).
#include <cmath>

#include "search_fixture.hpp"

TEST_CASE("words find inflected forms in every language, one hit per article", "[indexer][search]") {
  Search s;
  CHECK(s.finds("relation cooperate", kSeedHit));
  CHECK(s.finds("ilişki", kSeedHit));
  CHECK(s.finds("Казахстану", kSeedHit));
  CHECK(s.finds("哈萨克斯坦", kSeedHit));
  CHECK(s.finds("parola", kPasswd));
  CHECK(s.finds("пароля", kPasswd));
  CHECK(s.finds("密码", kPasswd));
  // Folding: Turkish i-dots, Russian ё, accents.
  CHECK(s.finds("ILIŞKILER", kSeedHit));
  CHECK(s.finds("İLİŞKİLERİ", kSeedHit));
  CHECK(s.finds("придает", kSeedHit));
  CHECK(s.finds("Turkiye", kCorridor));
  // The seed exists in four languages and matches in several: one hit.
  auto r = s.run("Kazakhstan");
  auto v = s.hits(r);
  CHECK(std::count(v.begin(), v.end(), kSeedHit) == 1);
  const auto* seed = s.hit(r, kSeed);
  REQUIRE(seed);
  CHECK(std::set<std::string>(seed->languages.begin(), seed->languages.end()) ==
        std::set<std::string>{"en", "ru", "tr", "zh"});
  CHECK(r.total == r.hits.size());
  CHECK(r.total_exact);
}

TEST_CASE("Latin words inside Chinese texts are found in them", "[indexer][search]") {
  // Sources cited in English in the Chinese translations: the Chinese
  // language group of a query of Latin words still finds them (while it
  // is skipped for words no Chinese text holds).
  Search s;
  for (const std::string word : {"Forging", "Berdimuhamedov", "Beneficial", "passwd", "Consultations", "Musaeva"}) {
    SearchRequest req;
    req.query = word;
    req.filters["lang"] = {"zh"};
    auto r = s.run(req);
    INFO(word);
    REQUIRE(!r.hits.empty());
    CHECK(r.hits[0].lang == "zh");
    const auto* zh = facet(r, "lang", "zh");
    REQUIRE(zh);
    CHECK(zh->count == r.total);
  }
  // A word in no Chinese text.
  SearchRequest req;
  req.query = "ilişkiler";
  req.filters["lang"] = {"zh"};
  CHECK(s.run(req).total == 0);
  CHECK(s.run("ilişkiler").total > 0);
}

TEST_CASE("a country named in any language reaches articles in every language", "[indexer][search]") {
  Search s;
  // The Aral article is English only, with KZ a subject: a Russian query finds it.
  CHECK(s.finds("Казахстан", kAral));
  // The CPC article is Russian only: an English query finds it by its country.
  CHECK(s.finds("Kazakhstan", kCpc));
  // ... and a Turkish inflected form does too.
  CHECK(s.finds("Kazakistan'ın", kCpc));
  // country: takes codes and names in any language, the same way.
  auto by_code = s.found("country:KZ");
  CHECK(by_code.count(kSeedHit));
  CHECK(by_code.count(kCpc));
  CHECK(by_code.count(kAral));
  CHECK(s.found("country:Казахстан") == by_code);
  CHECK(s.found("country:Kazakistan") == by_code);
  CHECK(s.found("country:kz") == by_code);
  CHECK_FALSE(by_code.count(kIran));
}

TEST_CASE("phrases, AND, OR, NOT, + and -, prefixes", "[indexer][search]") {
  Search s;
  CHECK(s.found("\"Middle Corridor\"") .count(kCorridor));
  CHECK_FALSE(s.found("\"Corridor Middle\"").count(kCorridor));
  auto either = s.found("cotton OR Евразийский");
  CHECK(either.count(kAral));
  CHECK(either.count(kEaeu));
  CHECK(s.found("cotton AND Евразийский").empty());  // no OR fallback when AND is written out
  CHECK(s.found("cotton Евразийский").size() >= 2);  // unwritten: any of the words, when none has all
  CHECK(s.found("water -cotton").count(kAral) == 0);
  CHECK(s.found("water NOT cotton") == s.found("water -cotton"));
  CHECK(s.found("+water +cotton").count(kAral));
  CHECK(s.found("(cotton OR pipeline) Aral").count(kAral));
  // A word said twice finds what it finds once, and weighs more.
  CHECK(s.found("water cotton water") == s.found("water cotton"));
  CHECK(!s.found("water cotton").empty());
  CHECK(s.run("water cotton water").hits.at(0).score > s.run("water cotton").hits.at(0).score);
  // A prefix, in Latin and Cyrillic script.
  CHECK(s.finds("kazak*", kCorridor) == s.finds("kazakistan", kCorridor));
  CHECK(s.finds("Казах*", kCpc));
  CHECK(s.finds("pasw*", kPasswd) == false);
  CHECK(s.finds("passw*", kPasswd));
}

TEST_CASE("fields: title, author, lang, type, cites, date, year", "[indexer][search]") {
  Search s;
  CHECK(s.found("title:Aral") == std::set<std::string>{kAral});
  CHECK(s.found("title:Corridor").count(kCorridor));
  CHECK_FALSE(s.found("title:Kazakhstan").count(kAral));  // in its text, not its title
  // author: by id (the articles and the biography) or by name.
  auto by_id = s.found("author:dogacan-basaran");
  CHECK(by_id == std::set<std::string>{kSeedHit, kAfghan, kIran, "author:dogacan-basaran"});
  auto by_name = s.found("author:\"Ирина Соколова\"");
  CHECK(by_name.count(kEaeu));
  CHECK(by_name.count(kCpc));
  CHECK(s.found("lang:ru type:article").count(kCpc));
  CHECK_FALSE(s.found("lang:ru").count(kIran));
  CHECK(s.found("type:author").size() == 6);
  // cites: by a footnote's publisher, whole or its beginning.
  CHECK(s.found("cites:\"AKI Press\"") == std::set<std::string>{kSeedHit, kAral});
  CHECK(s.found("cites:aki") == s.found("cites:\"AKI Press\""));
  CHECK(s.found("cites:Интерфакс") == std::set<std::string>{kCpc});
  CHECK(s.found("cites:nobody").empty());
  // Dates, partial ones included: the seed is "2023-05".
  CHECK(s.found("date:2023-01..2023-06") == std::set<std::string>{kSeedHit});
  CHECK(s.found("date:2023-05-20") == std::set<std::string>{kSeedHit});
  CHECK(s.found("date:..2021") == std::set<std::string>{kIran});
  CHECK(s.found("year:2024..") == std::set<std::string>{kEaeu, kPasswd});
  CHECK(s.found("year:2022") == std::set<std::string>{kAral, kAfghan, kCpc});
}

TEST_CASE("a query that cannot be read falls back to its words and says so", "[indexer][search]") {
  Search s;
  auto r = s.run("\"Aral cotton");
  CHECK(r.query.plain_words);
  CHECK(r.query.understood == "Aral AND cotton");
  CHECK(s.hits(r) == std::vector<std::string>{kAral});
  auto unknown = s.run("country:Atlantis water");
  CHECK(unknown.query.plain_words);
  CHECK(unknown.query.notes.back().find("Atlantis") != std::string::npos);
  auto bad_date = s.run("date:2023-13 Aral");
  CHECK(bad_date.query.plain_words);
  // Words none of which is in one document: those with any, and a note.
  auto any = s.run("cotton pipeline");
  CHECK(any.query.understood == "cotton OR pipeline");
  CHECK(any.total >= 1);
}

TEST_CASE("hostile queries answer with a sensible result or a clear note", "[indexer][search]") {
  Search s;
  std::string huge;
  while (huge.size() < 10000) huge += "Kazakhstan cooperation summit ";
  auto r = s.run(huge);
  CHECK(r.query.notes.back().find("64") != std::string::npos);
  CHECK(r.hits.size() >= 1);
  auto punct = s.run("!!! ??? ... ---");
  CHECK(punct.total == 0);
  CHECK(punct.query.notes.back() == "the query has no words to search for");
  auto stop = s.run("the of and");
  CHECK(stop.total >= 1);  // stop words are indexed: documents that hold them all
  auto bad = s.run("\xff\xfe Kazakhstan \xc0");
  CHECK(bad.query.notes.front().find("UTF-8") != std::string::npos);
  CHECK(bad.hits.size() >= 1);
  auto star = s.run("*");  // everything, as an empty query
  CHECK(star.total == 15);
  CHECK(star.query.notes.back().find("everything") != std::string::npos);
  auto a = s.run("a*");  // bounded: the most frequent terms beginning so
  CHECK(a.total >= 1);
  auto deep = s.run(std::string(5000, '(') + "Aral" + std::string(5000, ')'));
  CHECK(deep.query.plain_words);
  CHECK(s.found(std::string(5000, '(') + "Aral" + std::string(5000, ')')) == s.found("Aral"));
  CHECK(s.finds("Aral", kAral));
}

TEST_CASE("facets: counts, labels in the UI language, subjects and mentions", "[indexer][search]") {
  Search s;
  SearchRequest req;
  req.query = "";
  req.ui_lang = "ru";
  auto r = s.run(req);
  CHECK(r.total == 9 + 6);  // every article and author
  const auto* kz = facet(r, "country", "KZ");
  REQUIRE(kz);
  CHECK(kz->label == "Казахстан");
  CHECK(kz->subject == 2);  // Aral, EAEU name it in their records
  CHECK(kz->count == kz->subject + kz->mentioned);
  CHECK(kz->mentioned >= 2);  // the seed and the CPC article only mention it
  const auto* type = facet(r, "type", "author");
  REQUIRE(type);
  CHECK(type->count == 6);
  const auto* y2022 = facet(r, "year", "2022");
  REQUIRE(y2022);
  CHECK(y2022->count == 3);
  const auto* ru = facet(r, "lang", "ru");
  REQUIRE(ru);
  CHECK(ru->label == "русский");
  const auto* author = facet(r, "author", "irina-sokolova");
  REQUIRE(author);
  CHECK(author->label == "Ирина Соколова");
  CHECK(author->count == 2);
  CHECK(r.facets.count("month") == 0);  // only within one selected year
}

TEST_CASE("filters OR within a facet, AND across, counted disjunctively", "[indexer][search]") {
  Search s;
  SearchRequest req;
  req.filters["country"] = {"KZ"};
  req.size = 100;
  auto kz = s.run(req);
  req.filters["country"] = {"KZ", "IR"};
  auto kz_ir = s.run(req);
  std::set<std::string> either = s.found("country:KZ"), ir = s.found("country:IR");
  either.insert(ir.begin(), ir.end());
  CHECK(kz_ir.total == either.size());
  CHECK(kz_ir.total > kz.total);
  // The country facet is counted as if no country were selected...
  auto all = s.run(SearchRequest{});
  const auto* ir_all = facet(all, "country", "IR");
  const auto* ir_kz = facet(kz, "country", "IR");
  REQUIRE(ir_all);
  REQUIRE(ir_kz);
  CHECK(ir_kz->count == ir_all->count);
  CHECK(facet(kz, "country", "KZ")->selected);
  // ... while the other facets count the selection.
  const auto* year_kz = facet(kz, "year", "2022");
  REQUIRE(year_kz);
  CHECK(year_kz->count == 2);  // Aral and CPC; not the Afghanistan article
  // AND across facets: Kazakhstan in Russian.
  req.filters["country"] = {"KZ"};
  req.filters["lang"] = {"ru"};
  auto kz_ru = s.run(req);
  std::set<std::string> ids;
  for (const auto& h : kz_ru.hits) ids.insert(h.id);
  CHECK(ids.count("cpc-pipeline-kazakhstan-energy-security"));
  CHECK_FALSE(ids.count("aral-sea-basin-water-politics"));  // English and Turkish only
  // Months appear within one selected year.
  SearchRequest y;
  y.filters["year"] = {"2023"};
  auto in_2023 = s.run(y);
  const auto* may = facet(in_2023, "month", "2023-05");
  REQUIRE(may);
  CHECK(may->count == 1);
  CHECK(may->label == "May 2023");
  // A filter value that is not one is an error, not a silent empty result.
  SearchRequest bad;
  bad.filters["country"] = {"Atlantis"};
  CHECK(s.searcher->search(bad).status().code() == Code::kInvalidArgument);
  bad.filters = {{"month", {"2023-5"}}};
  CHECK(s.searcher->search(bad).status().code() == Code::kInvalidArgument);
  // So is a facet that is none: an unknown name, or a field that is no facet.
  for (const char* name : {"colour", "title", "cites", ""}) {
    INFO("facet '" << name << "'");
    SearchRequest facet;
    facet.facets = {"country", name};
    auto refused = s.searcher->search(facet);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == Code::kInvalidArgument);
    CHECK(refused.status().message().find("is not a facet (country, year, month, author, lang, type)") != std::string::npos);
  }
  SearchRequest range;
  range.from = "2023";
  range.to = "2023-06";
  auto first_half = s.run(range);
  CHECK(first_half.total == 1);
}

TEST_CASE("the preferred language is shown when it matches too", "[indexer][search]") {
  Search s;
  SearchRequest req;
  req.query = "Kazakhstan";
  req.languages = {"ru"};
  auto r = s.run(req);
  const auto* seed = s.hit(r, kSeed);
  REQUIRE(seed);
  CHECK(seed->lang == "ru");
  // "cooperation" is English: no other translation holds it, so English it is.
  req.query = "\"strong cooperation\"";
  req.languages = {"tr"};
  auto en = s.run(req);
  const auto* seed_en = s.hit(en, kSeed);
  REQUIRE(seed_en);
  CHECK(seed_en->lang == "en");
  // Author biographies are author hits.
  auto bio = s.run("Başaran");
  const auto* author = s.hit(bio, "dogacan-basaran");
  REQUIRE(author);
  CHECK(author->type == "author");
}

TEST_CASE("snippets highlight stemmed forms in every script, escaped", "[indexer][search]") {
  Search s;
  auto en = s.run("relation");
  const auto* seed = s.hit(en, kSeed);
  REQUIRE(seed);
  CHECK(seed->snippet.find("<mark>relations</mark>") != std::string::npos);
  SearchRequest ru;
  ru.query = "Казахстан";
  ru.languages = {"ru"};
  auto r = s.run(ru);
  const auto* cpc = s.hit(r, "cpc-pipeline-kazakhstan-energy-security");
  REQUIRE(cpc);
  CHECK(cpc->snippet.find("<mark>Казахстана</mark>") != std::string::npos);
  CHECK(cpc->title.find("<mark>Казахстана</mark>") != std::string::npos);
  SearchRequest zh;
  zh.query = "密码";
  zh.languages = {"zh"};
  auto z = s.run(zh);
  const auto* passwd = s.hit(z, "passwd-1-manual-page");
  REQUIRE(passwd);
  CHECK(passwd->snippet.find("<mark>密码</mark>") != std::string::npos);
  SearchRequest tr;
  tr.query = "Kazakistan";
  tr.languages = {"tr"};
  auto t = s.run(tr);
  const auto* seed_tr = s.hit(t, kSeed);
  REQUIRE(seed_tr);
  CHECK(seed_tr->lang == "tr");
  CHECK(seed_tr->snippet.find("<mark>Kazakistan") != std::string::npos);
  // Without highlighting: no marks at all.
  SearchRequest plain;
  plain.query = "relation";
  plain.highlight = false;
  auto p = s.run(plain);
  for (const auto& h : p.hits) CHECK(h.snippet.find("<mark>") == std::string::npos);
}

TEST_CASE("record text can never inject markup into results", "[indexer][search]") {
  Search s;
  test::TempDir tmp;
  test::write_file(tmp.path() / "x.jsonl",
                   R"({"type":"article","id":"markup-test","published":"2020","authors":[],"original_language":"en",)"
                   R"("translations":{"en":{"title":"<script>alert(1)</script> Ferghana & \"quotes\"",)"
                   R"("body":"The Ferghana <img src=x onerror=alert(2)> valley's <b>water</b>."}}})"
                   "\n");
  test::Quiet quiet;
  REQUIRE(archive::import_jsonl(*s.archive, {(tmp.path() / "x.jsonl").string()}, {}, quiet).ok());
  auto writer = indexer::IndexWriter::open(s.options);
  REQUIRE(writer.ok());
  REQUIRE((*writer)->drain(*s.archive).ok());
  writer->reset();
  REQUIRE(s.searcher->refresh().ok());
  auto r = s.run("Ferghana");
  const auto* h = s.hit(r, "markup-test");
  REQUIRE(h);
  CHECK(h->title == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Ferghana</mark> &amp; &quot;quotes&quot;");
  CHECK(h->snippet.find("<img") == std::string::npos);
  CHECK(h->snippet.find("<b>") == std::string::npos);  // CommonMark's inline HTML is not text
  CHECK(h->snippet.find("water") != std::string::npos);
  CHECK(h->snippet.find("valley&#39;s") != std::string::npos);
}

TEST_CASE("sorting by date and pagination", "[indexer][search]") {
  Search s;
  SearchRequest req;
  req.filters["type"] = {"article"};
  req.sort = indexer::SortOrder::kNewest;
  req.size = 100;
  auto newest = s.run(req);
  REQUIRE(newest.hits.size() == 9);
  for (std::size_t i = 1; i < newest.hits.size(); ++i) CHECK(newest.hits[i - 1].published.substr(0, 4) >= newest.hits[i].published.substr(0, 4));
  CHECK(newest.hits.front().id == "passwd-1-manual-page");
  req.sort = indexer::SortOrder::kOldest;
  auto oldest = s.run(req);
  CHECK(oldest.hits.front().id == "iran-imparatorluk-dusuncesi");
  // Pages of 4 cover the list once, in order.
  std::vector<std::string> paged;
  req.size = 4;
  for (std::size_t page = 1; page <= 3; ++page) {
    req.page = page;
    for (const auto& h : s.run(req).hits) paged.push_back(h.id);
  }
  std::vector<std::string> whole;
  for (const auto& h : oldest.hits) whole.push_back(h.id);
  CHECK(paged == whole);
  req.size = 100000;
  CHECK(s.run(req).size == indexer::kMaxPageSize);
}

TEST_CASE("did you mean, and completions in any script", "[indexer][search]") {
  Search s;
  auto r = s.run("Kazakhstn");
  CHECK(r.total == 0);
  CHECK(r.suggestion == "kazakhstan");
  auto known = s.run("Kazakhstan");
  CHECK(known.suggestion.empty());
  auto comp = s.searcher->suggest("Kaz");
  REQUIRE(comp.ok());
  bool country = false;
  for (const auto& c : *comp) country |= c.kind == "country" && c.value == "KZ";
  CHECK(country);
  auto cyr = s.searcher->suggest("Евраз");
  REQUIRE(cyr.ok());
  bool title = false;
  for (const auto& c : *cyr) title |= c.kind == "title" && c.value == "eaeu-ten-years";
  CHECK(title);
  auto zh = s.searcher->suggest("王");
  REQUIRE(zh.ok());
  bool author = false;
  for (const auto& c : *zh) author |= c.kind == "author" && c.value == "wang-li";
  CHECK(author);
  auto tr = s.searcher->suggest("doğacan baş");
  REQUIRE(tr.ok());
  REQUIRE_FALSE(tr->empty());
  CHECK(tr->front().value == "dogacan-basaran");
}


TEST_CASE("a country's name that is a word of a language asks, written as a name, for the country", "[indexer][entities]") {
  Search s;
  // The seed's Turkish text has "mali destek" (financial support): Mali is
  // not named there, and "Mali" does not find it; "mali" is the word.
  CHECK_FALSE(s.finds("Mali", kSeedHit));
  CHECK(s.finds("mali", kSeedHit));
  CHECK(s.finds("mali destek", kSeedHit));
  // A name that is no word anywhere still finds its text and its country.
  CHECK(s.finds("Kazakistan", kSeedHit));
  CHECK(s.finds("Кыргызстан", kSeedHit));
  CHECK(s.finds("country:Кыргызстан", kSeedHit));
  CHECK(s.finds("country:Kazahstan", kSeedHit));  // a Latin transliteration of Казахстан
}

TEST_CASE("an option quoted in a text, --status, is searched as a word", "[indexer][query]") {
  Search s;
  // Debian's passwd(1) documents --status; NOT status would leave it out.
  CHECK(s.finds("--status", "article:passwd-1-manual-page"));
  CHECK(s.finds("passwd --status", "article:passwd-1-manual-page"));
}

TEST_CASE("a response's JSON text is what nlohmann::json would dump of it", "[indexer][search]") {
  Search s;
  // Real answers: every hit, facet and note the sample gives, and a filter
  // (selected values, a country facet with subjects and mentions).
  std::vector<SearchRequest> requests(4);
  requests[0].query = "";
  requests[0].size = 100;
  requests[1].query = "relation cooperate";
  requests[1].ui_lang = "ru";
  requests[2].query = "\"Central Asia\" OR Казахстан";
  requests[2].filters["country"] = {"KZ"};
  requests[3].query = "(((";
  requests[3].plain_text = true;
  for (const auto& req : requests) {
    SearchResponse r = s.run(req);
    std::string text = indexer::to_json_text(r);
    nlohmann::json j = nlohmann::json::parse(text);
    // Sorted keys, the same escaping and numbers: dumping what was read
    // gives the text back byte for byte.
    CHECK(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) == text);
    CHECK(j["total"] == r.total);
    CHECK(j["query"]["text"] == req.query);
    REQUIRE(j["hits"].size() == r.hits.size());
    for (std::size_t i = 0; i < r.hits.size(); ++i) {
      CHECK(j["hits"][i]["id"] == r.hits[i].id);
      CHECK(j["hits"][i]["title"] == r.hits[i].title);
      CHECK(j["hits"][i]["snippet"] == r.hits[i].snippet);
      CHECK(j["hits"][i]["countries"].size() == r.hits[i].subject_countries.size() + r.hits[i].mentioned_countries.size());
    }
    CHECK(j["facets"].size() == r.facets.size());
  }
  // What no search of the sample gives: control characters, text that is not
  // UTF-8, a score that is no number, empty lists, a suggestion.
  SearchResponse odd;
  odd.query.text = "tab\there \"quoted\" \x01";
  odd.query.notes = {"a\\b", "not UTF-8: \xff"};
  odd.suggestion = "öneri";
  indexer::Hit h;
  h.type = "article";
  h.id = "x";
  h.title = "</script>\n";
  h.score = std::nan("");
  h.subject_countries = {"KZ"};
  h.mentioned_countries = {"CN"};
  odd.hits.push_back(h);
  odd.facets["country"] = {{"KZ", "Kazakhstan", 3, true, 2, 1}};
  odd.facets["lang"] = {};
  std::string text = indexer::to_json_text(odd);
  nlohmann::json j = nlohmann::json::parse(text);
  CHECK(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) == text);
  CHECK(j["hits"][0]["score"].is_null());
  CHECK(j["hits"][0]["countries"][1] == nlohmann::json({{"code", "CN"}, {"name", "China"}, {"subject", false}}));
  CHECK(j["query"]["notes"][1] == "not UTF-8: \xef\xbf\xbd");
  CHECK(j["facets"]["country"][0] ==
        nlohmann::json({{"count", 3}, {"label", "Kazakhstan"}, {"mentioned", 1}, {"selected", true}, {"subject", 2}, {"value", "KZ"}}));
  CHECK(j["facets"]["lang"] == nlohmann::json::array());
  CHECK(j["suggestion"] == "öneri");
  CHECK(indexer::to_json(odd) == j);
}
