// The query language's reader: what each construct becomes, and how a
// malformed query falls back to its plain words.
#include <catch2/catch.hpp>

#include "doc_sets.hpp"
#include "query.hpp"

using namespace defter::indexer;

namespace {

std::string read(const std::string& text) { return query::describe(query::parse(text, 64).root); }

}  // namespace

TEST_CASE("words, phrases, operators and fields read as written", "[indexer][query]") {
  CHECK(read("kazakhstan energy") == "kazakhstan AND energy");
  CHECK(read("\"belt and road\" kazakhstan") == "\"belt and road\" AND kazakhstan");
  CHECK(read("cotton OR water") == "cotton OR water");
  CHECK(read("water -cotton") == "water AND NOT cotton");
  CHECK(read("water NOT cotton") == "water AND NOT cotton");
  CHECK(read("+water +aral") == "water AND aral");
  CHECK(read("(cotton OR water) aral") == "(cotton OR water) AND aral");
  CHECK(read("kaz*") == "kaz*");
  CHECK(read("title:Aral author:dogacan-basaran") == "title:Aral AND author:dogacan-basaran");
  CHECK(read("author:\"Ирина Соколова\"") == "author:\"Ирина Соколова\"");
  CHECK(read("COUNTRY:KZ") == "country:KZ");
  CHECK(read("date:2023-01..2023-06 year:2020..") == "date:2023-01..2023-06 AND year:2020..");
  CHECK(read("cites:\"AKI Press\"") == "cites:\"AKI Press\"");
  // Unknown "fields" are words: a time, a URL.
  CHECK(read("10:30") == "10:30");
  // Lower-case and/or/not are words, not operators.
  CHECK(read("war and peace") == "war AND and AND peace");
  CHECK(read("") == "");
  // A word that begins with two hyphens is a word, not NOT.
  CHECK(read("--almost-all") == "--almost-all");
  CHECK(read("ls --almost-all -cotton") == "ls AND --almost-all AND NOT cotton");
  CHECK_FALSE(query::parse("--status", 64).operators);
}

TEST_CASE("a malformed query is read as its plain words, with a note", "[indexer][query]") {
  for (const char* text : {"\"unclosed cotton", "(cotton water", "cotton water)", "AND cotton", "cotton OR",
                           "cotton NOT", "title: cotton", "() cotton", "cotton OR OR water"}) {
    INFO(text);
    auto p = query::parse(text, 64);
    CHECK(p.plain_words);
    REQUIRE_FALSE(p.notes.empty());
    CHECK(p.notes.back().find("plain words") != std::string::npos);
    std::string words = query::describe(p.root);
    CHECK(words.find("cotton") != std::string::npos);
    CHECK(words.find('(') == std::string::npos);
    CHECK(words.find('"') == std::string::npos);
  }
  CHECK(read("\"unclosed kazakhstan") == "unclosed AND kazakhstan");
  // Parentheses nested past the limit are syntax too deep to read.
  std::string deep(100, '(');
  deep += "x";
  deep += std::string(100, ')');
  auto p = query::parse(deep, 64);
  CHECK(p.plain_words);
  CHECK(query::describe(p.root) == "x");
}

TEST_CASE("long queries are cut at the word limit, invalid UTF-8 is replaced", "[indexer][query]") {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "word" + std::to_string(i) + " ";
  auto p = query::parse(text, 64);
  CHECK(p.root.children.size() == 64);
  REQUIRE_FALSE(p.notes.empty());
  CHECK(p.notes.back().find("64") != std::string::npos);

  auto bad = query::parse("\xff\xfe kazakhstan \xc0\xaf", 64);
  CHECK_FALSE(bad.plain_words);
  CHECK(bad.notes.front().find("UTF-8") != std::string::npos);
  std::string s = "ok \xed\xa0\x80 \xf4\x90\x80\x80";  // a surrogate and a code point past U+10FFFF
  CHECK(query::sanitize_utf8(s));
  CHECK(s == "ok \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  std::string good = "Türkiye Казахстан 中亚";
  CHECK_FALSE(query::sanitize_utf8(good));
}

TEST_CASE("date and year ranges, open ends and partial dates", "[indexer][query]") {
  query::DateRange r;
  REQUIRE(query::parse_date_range("2023-01..2023-06", false, r));
  CHECK(r.from == "20230101");
  CHECK(r.to == "20230630");
  r = {};
  REQUIRE(query::parse_date_range("2024-02", false, r));
  CHECK(r.from == "20240201");
  CHECK(r.to == "20240229");
  r = {};
  REQUIRE(query::parse_date_range("..2021", true, r));
  CHECK(r.from.empty());
  CHECK(r.to == "20211231");
  r = {};
  REQUIRE(query::parse_date_range("2020..", true, r));
  CHECK(r.from == "20200101");
  CHECK(r.to.empty());
  for (const char* bad : {"..", "2023-13", "2023-02-30", "2024..2020", "20x3", "2023-05-1"}) {
    INFO(bad);
    query::DateRange x;
    CHECK_FALSE(query::parse_date_range(bad, false, x));
  }
  query::DateRange y;
  CHECK_FALSE(query::parse_date_range("2023-05", true, y));  // year: takes years only
}

TEST_CASE("a document set filters a query as the posting lists it stands for", "[indexer][query]") {
  // Documents 1..40: "w" in every third, the set every fourth and the last.
  Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
  std::vector<bool> member(41);
  for (Xapian::docid d = 1; d <= 40; ++d) {
    Xapian::Document doc;
    doc.add_term("all");
    if (d % 3 == 0) doc.add_term("w");
    db.add_document(doc);
    member[d] = d % 4 == 0 || d == 40;
  }
  auto set = std::make_shared<const detail::DocSet>(member);
  CHECK(set->docs().size() == 10);
  CHECK(set->rank(0) == 0);
  CHECK(set->rank(4) == 0);
  CHECK(set->rank(5) == 1);
  CHECK(set->rank(40) == 9);
  CHECK(set->rank(41) == 10);  // past the last document: the end
  CHECK(set->rank(1000) == 10);

  auto matches = [&](const Xapian::Query& text) {
    Xapian::Query q(Xapian::Query::OP_FILTER, text,
                    Xapian::Query((new detail::DocSetSource(set))->release()));
    Xapian::Enquire e(db);
    e.set_query(q);
    e.set_docid_order(Xapian::Enquire::ASCENDING);
    e.set_weighting_scheme(Xapian::BoolWeight());
    std::vector<Xapian::docid> out;
    for (auto m : e.get_mset(0, 100)) out.push_back(m);
    return out;
  };
  // The set's own documents, and what a term shares with it (skip_to and
  // check from either side of the AND).
  CHECK(matches(Xapian::Query("all")) == set->docs());
  CHECK(matches(Xapian::Query("w")) == std::vector<Xapian::docid>{12, 24, 36});
  CHECK(matches(Xapian::Query("none")).empty());

  // Moved by hand: skip_to never goes back, check lands where skip_to would.
  detail::DocSetSource src(set);
  src.init(db);
  src.next(0);
  CHECK(src.get_docid() == 4);
  src.skip_to(13, 0);
  CHECK(src.get_docid() == 16);
  src.skip_to(5, 0);
  CHECK(src.get_docid() == 16);
  CHECK(src.check(33, 0));
  CHECK(src.get_docid() == 36);
  src.next(0);
  CHECK(src.get_docid() == 40);
  CHECK_FALSE(src.at_end());
  src.next(0);
  CHECK(src.at_end());
  detail::DocSetSource empty(std::make_shared<const detail::DocSet>(std::vector<bool>(41)));
  empty.init(db);
  empty.next(0);
  CHECK(empty.at_end());
}
