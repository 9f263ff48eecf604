// The search API on the sample archive (real text in English, Turkish,
// Russian and Chinese, Debian's translated passwd(1)) and on a generated
// corpus for exact facet counts and phrases by pair terms.
#include <atomic>
#include <set>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "defter/archive/importer.hpp"
#include "defter/indexer/index_schema.hpp"
#include "defter/indexer/search.hpp"
#include "document.hpp"
#include "index_files.hpp"
#include "sample.hpp"
#include "support.hpp"

using namespace defter;
using indexer::SearchRequest;
using indexer::SearchResponse;

namespace {

using test::kSeed;

struct Search : test::Sample {
  std::unique_ptr<indexer::Searcher> searcher = std::move(indexer::Searcher::open(options, *archive).value());

  SearchResponse run(const SearchRequest& req) {
    auto r = searcher->search(req);
    REQUIRE(r.ok());
    return *r;
  }
  SearchResponse run(const std::string& q) {
    SearchRequest req;
    req.query = q;
    req.size = 100;
    return run(req);
  }
  // "article:ID" or "author:ID" of every hit, in order.
  std::vector<std::string> hits(const SearchResponse& r) {
    std::vector<std::string> out;
    for (const auto& h : r.hits) out.push_back(h.type + ":" + h.id);
    return out;
  }
  std::set<std::string> found(const std::string& q) {
    auto v = hits(run(q));
    return {v.begin(), v.end()};
  }
  bool finds(const std::string& q, const std::string& hit) { return found(q).count(hit) > 0; }
  const indexer::Hit* hit(const SearchResponse& r, const std::string& id) {
    for (const auto& h : r.hits)
      if (h.id == id) return &h;
    return nullptr;
  }
};

const std::string kSeedHit = "article:" + kSeed;
const std::string kAral = "article:aral-sea-basin-water-politics";
const std::string kEaeu = "article:eaeu-ten-years";
const std::string kCpc = "article:cpc-pipeline-kazakhstan-energy-security";
const std::string kCorridor = "article:orta-koridor-turkiye-azerbaycan-gurcistan";
const std::string kIran = "article:iran-imparatorluk-dusuncesi";
const std::string kPasswd = "article:passwd-1-manual-page";
const std::string kSilk = "article:digital-silk-road-central-asia";
const std::string kAfghan = "article:afghanistan-after-2021-northern-neighbours";

const indexer::FacetValue* facet(const SearchResponse& r, const std::string& name, const std::string& value) {
  auto it = r.facets.find(name);
  if (it == r.facets.end()) return nullptr;
  for (const auto& v : it->second)
    if (v.value == value) return &v;
  return nullptr;
}

// A generated corpus, imported and indexed in a temporary directory.
struct Generated {
  test::TempDir dir;
  std::unique_ptr<archive::Archive> archive;
  indexer::IndexOptions options;

  Generated(int records, int words, int seed) {
    test::generate_corpus(dir.path() / "corpus.jsonl", records, words, seed);
    archive::Options o;
    o.dir = dir.path() / "archive";
    archive = std::move(archive::Archive::open(o).value());
    test::Quiet quiet;
    REQUIRE(archive::import_jsonl(*archive, {(dir.path() / "corpus.jsonl").string()}, {}, quiet).ok());
    options.dir = dir.path() / "index";
    auto writer = indexer::IndexWriter::open(options);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->drain(*archive).ok());
  }
};

}  // namespace

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

TEST_CASE("facet counts are exact on a generated corpus", "[indexer][search]") {
  Generated g(3000, 60, 7);
  auto& archive = g.archive;
  auto& io = g.options;
  // What the archive says, counted independently of the index.
  std::map<std::string, std::uint64_t> years, langs;
  std::uint64_t articles = 0;
  auto snap = archive->snapshot();
  REQUIRE(snap.ok());
  REQUIRE(snap->for_each_article([&](const schema::Article& a) {
    ++articles;
    ++years[a.published.substr(0, 4)];
    for (const auto& [lang, t] : a.translations) ++langs[lang];
    return true;
  }).ok());
  auto searcher = std::move(indexer::Searcher::open(io, *archive).value());
  SearchRequest req;
  req.filters["type"] = {"article"};
  req.facet_size = 1000;
  auto r = searcher->search(req);
  REQUIRE(r.ok());
  CHECK(r->total == articles);
  CHECK(r->total_exact);
  for (const auto& [year, n] : years) {
    INFO(year);
    const auto* f = facet(*r, "year", year);
    REQUIRE(f);
    CHECK(f->count == n);
  }
  for (const auto& [lang, n] : langs) {
    INFO(lang);
    const auto* f = facet(*r, "lang", lang);
    REQUIRE(f);
    CHECK(f->count == n);
  }
}

TEST_CASE("a facet with one selection counts in one pass what a pass per facet counts", "[indexer][search]") {
  // With one facet selected, one pass without its filter counts that facet
  // and, for the documents the filter keeps, everything else. Selecting
  // both types as well (every document has one) changes no result but
  // makes the search count with a pass per facet: both must agree.
  Generated g(1200, 60, 5);
  auto searcher = std::move(indexer::Searcher::open(g.options, *g.archive).value());
  auto run = [&](const SearchRequest& req) {
    auto r = searcher->search(req);
    REQUIRE(r.ok());
    return *r;
  };
  SearchRequest browse;
  browse.facet_size = 1000;
  const SearchResponse all = run(browse);
  REQUIRE(!all.hits.empty());
  std::string word;  // the longest word of the first hit's title
  {
    std::istringstream in(all.hits[0].title);
    for (std::string w; in >> w;)
      if (w.size() > word.size() && w.find_first_of("&<>;") == std::string::npos) word = w;
  }
  REQUIRE(!word.empty());
  auto counts = [](const SearchResponse& r) {
    std::map<std::string, std::map<std::string, std::uint64_t>> out;
    for (const auto& [name, values] : r.facets)
      for (const auto& v : values)
        if (v.count > 0) out[name][v.value] = v.count;  // b lists the types it selected, even with no match
    return out;
  };
  int compared = 0;
  for (const std::string& q : {std::string(), word})
    for (const std::string f : {"lang", "year", "country"}) {
      const auto& values = all.facets.at(f);
      REQUIRE(values.size() >= 2);
      for (const auto& value : {values[0].value, values[1].value}) {
        INFO("query \"" << q << "\", " << f << " = " << value);
        SearchRequest one = browse;
        one.query = q;
        one.size = 50;
        one.filters[f] = {value};
        SearchRequest per_facet = one;
        per_facet.filters["type"] = {"article", "author"};
        const SearchResponse a = run(one), b = run(per_facet);
        CHECK(a.total == b.total);
        CHECK(a.total_exact == b.total_exact);
        CHECK(counts(a) == counts(b));
        std::vector<std::string> ha, hb;
        for (const auto& h : a.hits) ha.push_back(h.id);
        for (const auto& h : b.hits) hb.push_back(h.id);
        CHECK(ha == hb);
        if (a.total > 0) ++compared;
      }
    }
  CHECK(compared >= 8);
}

TEST_CASE("phrases by pair terms and prefixes by one merged list find what positions and Xapian's wildcards find", "[indexer][search]") {
  Generated g(1500, 80, 11);
  auto& archive = g.archive;
  auto& io = g.options;
  auto& dir = g.dir;
  test::Quiet quiet;
  const auto generation = (io.dir / indexer::current_generation(io.dir)).string();
  std::string stored;
  indexer::PairWordsInfo info;
  {
    Xapian::Database db(generation);
    stored = db.get_metadata(std::string(indexer::meta::kPairWords));
    info = indexer::PairWordsInfo::from_metadata(stored);
  }
  REQUIRE(info.present);
  CHECK(info.sampled_documents >= indexer::kPairWordMinDocuments);
  REQUIRE(!info.words.empty());
  {
    auto st = indexer::index_stats(io);
    REQUIRE(st.ok());
    CHECK(st->format == indexer::kIndexFormat);
    CHECK(st->pair_words == info.words.size());
    CHECK(st->pair_words_sampled == info.sampled_documents);
  }

  // Phrases from the English texts: two common words, a common and a rarer
  // one, and three words with a common pair in them.
  std::vector<std::string> phrases;
  std::string common_pair;
  {
    indexer::Analyzer en("en");
    std::size_t both = 0, mixed = 0, three = 0, seen = 0;
    auto snap = archive->snapshot();
    REQUIRE(snap.ok());
    REQUIRE(snap->for_each_article([&](const schema::Article& a) {
      auto t = a.translations.find("en");
      if (t == a.translations.end() || ++seen % 37 != 0) return true;
      std::vector<std::string> w;
      for (const auto& word : en.analyze(indexer::plain_text(t->second.body)))
        if (!word.cjk) w.push_back(word.term);
      for (std::size_t i = 0; i + 2 < w.size(); ++i) {
        bool c0 = info.words.count(w[i]) > 0, c1 = info.words.count(w[i + 1]) > 0, c2 = info.words.count(w[i + 2]) > 0;
        if (c0 && c1 && both < 4) {
          phrases.push_back(w[i] + " " + w[i + 1]);
          common_pair = indexer::pair_term(w[i], w[i + 1]);
          ++both;
          break;
        }
        if (c0 && !c1 && mixed < 3) {
          phrases.push_back(w[i] + " " + w[i + 1]);
          ++mixed;
          break;
        }
        if (c0 && c1 && !c2 && three < 3) {
          phrases.push_back(w[i] + " " + w[i + 1] + " " + w[i + 2]);
          ++three;
          break;
        }
      }
      return phrases.size() < 10;
    }).ok());
    CHECK(both > 0);
    CHECK(mixed > 0);
  }
  REQUIRE(phrases.size() >= 4);
  {
    Xapian::Database db(generation);
    CHECK(db.term_exists(common_pair));
  }

  // The same phrases searched by positions alone: the index with its pair
  // words forgotten.
  auto results = [&] {
    auto searcher = std::move(indexer::Searcher::open(io, *archive).value());
    std::vector<std::string> out;
    for (const auto& p : phrases) {
      SearchRequest req;
      req.query = "\"" + p + "\"";
      req.size = 100;
      auto r = searcher->search(req);
      REQUIRE(r.ok());
      std::string line = p + ": " + std::to_string(r->total);
      std::set<std::string> ids;
      for (const auto& h : r->hits) ids.insert(h.id);
      for (const auto& id : ids) line += " " + id;
      for (const auto& f : r->facets.at("lang")) line += " " + f.value + "=" + std::to_string(f.count);
      out.push_back(line);
    }
    return out;
  };
  auto by_pairs = results();
  for (const auto& line : by_pairs) {
    INFO(line);
    CHECK(line.find(": 0") == std::string::npos);  // each phrase is in the texts it was taken from
  }
  {
    Xapian::WritableDatabase db(generation, Xapian::DB_OPEN);
    db.set_metadata(std::string(indexer::meta::kPairWords), "");
    db.commit();
  }
  CHECK(results() == by_pairs);

  // A prefix of a common word finds what Xapian's own wildcard finds: the
  // same articles, the same documents per language.
  {
    Xapian::Database db(generation);
    std::string prefix;
    for (const auto& w : info.words) {
      std::size_t end = 0;
      for (int chars = 0; end < w.size() && chars < 3; ++chars)
        do ++end; while (end < w.size() && (static_cast<unsigned char>(w[end]) & 0xC0) == 0x80);
      std::string p = w.substr(0, end);
      std::size_t expansions = 0;
      for (auto t = db.allterms_begin(p); t != db.allterms_end(p); ++t) ++expansions;
      if (expansions > 3 && expansions < indexer::kMaxExpansion) {
        prefix = p;
        break;
      }
    }
    REQUIRE(!prefix.empty());
    INFO(prefix);
    Xapian::Enquire e(db);
    e.set_query(Xapian::Query(Xapian::Query::OP_WILDCARD, prefix));
    Xapian::MSet all = e.get_mset(0, db.get_doccount());
    std::set<std::string> articles;
    std::map<std::string, std::uint64_t> per_lang;
    for (auto it = all.begin(); it != all.end(); ++it) {
      articles.insert(it.get_document().get_value(indexer::slot::kCollapse));
      ++per_lang[it.get_document().get_value(indexer::slot::kLang)];
    }
    auto searcher = std::move(indexer::Searcher::open(io, *archive).value());
    SearchRequest req;
    req.query = prefix + "*";
    req.facet_size = 100;
    auto r = searcher->search(req);
    REQUIRE(r.ok());
    CHECK(r->total == articles.size());
    CHECK(r->total_exact);
    for (const auto& f : r->facets.at("lang")) {
      INFO(f.value);
      CHECK(f.count == per_lang[f.value]);
    }
    CHECK(r->facets.at("lang").size() == per_lang.size() - per_lang.count(""));
  }

  // An index with documents keeps the pair words it was made with.
  {
    Xapian::WritableDatabase db(generation, Xapian::DB_OPEN);
    db.set_metadata(std::string(indexer::meta::kPairWords), stored);
    db.commit();
  }
  test::generate_corpus(dir.path() / "more.jsonl", 50, 80, 12, "more");
  REQUIRE(archive::import_jsonl(*archive, {(dir.path() / "more.jsonl").string()}, {}, quiet).ok());
  {
    auto writer = indexer::IndexWriter::open(io);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->drain(*archive).ok());
  }
  Xapian::Database db(generation);
  CHECK(db.get_metadata(std::string(indexer::meta::kPairWords)) == stored);
}

TEST_CASE("a searcher keeps answering while the index is written and reindexed", "[indexer][search]") {
  Search s;
  const std::uint64_t before = s.run("Kazakhstan").total;
  REQUIRE(before > 0);
  std::atomic<bool> done{false};
  std::string failure;  // Catch's assertions are for the main thread only
  std::thread writer([&] {
    auto fail = [&](const std::string& what, const Status& st) {
      if (failure.empty()) failure = what + ": " + st.message();
    };
    for (int i = 0; i < 20; ++i) {
      test::TempDir tmp;
      test::write_file(tmp.path() / "x.jsonl",
                       R"({"type":"article","id":"live-)" + std::to_string(i) +
                           R"(","published":"2024","authors":[],"original_language":"en","translations":{"en":)"
                           R"({"title":"Live Kazakhstan note","body":"Water and Kazakhstan, written while searching."}}})"
                           "\n");
      test::Quiet quiet;
      if (auto st = archive::import_jsonl(*s.archive, {(tmp.path() / "x.jsonl").string()}, {}, quiet); !st.ok())
        fail("import", st.status());
      if (i % 7 == 6) {
        if (auto st = indexer::reindex(*s.archive, s.options); !st.ok()) fail("reindex", st.status());
      } else if (auto w = indexer::IndexWriter::open(s.options); !w.ok()) {
        fail("open the writer", w.status());
      } else if (auto st = (*w)->drain(*s.archive); !st.ok()) {
        fail("drain", st.status());
      }
    }
    done = true;
  });
  std::uint64_t searches = 0, last_total = 0;
  std::string reader_failure;
  while (!done && reader_failure.empty()) {
    if (auto st = s.searcher->refresh(); !st.ok()) {
      reader_failure = "refresh: " + st.message();
      break;
    }
    SearchRequest req;
    req.query = "Kazakhstan";
    auto r = s.searcher->search(req);
    if (!r.ok()) {
      reader_failure = "search: " + r.status().message();
      break;
    }
    if (r->total < before) reader_failure = "an empty or half-read index: " + std::to_string(r->total) + " results";
    last_total = r->total;
    ++searches;
  }
  writer.join();
  CHECK(reader_failure == "");
  CHECK(failure == "");
  REQUIRE(s.searcher->refresh().ok());
  auto final = s.run("Kazakhstan");
  CHECK(final.total >= last_total);
  CHECK(s.finds("\"written while searching\"", "article:live-19"));
  CHECK(searches > 0);
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
