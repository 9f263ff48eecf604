// The index on real text: the sample archive (the seed in four languages,
// analyses in English, Turkish, Russian and Chinese) and Debian's translated
// passwd(1) manual page (English, Turkish from manpages-tr, Russian from
// manpages-ru, Chinese from manpages-zh).
#include <atomic>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>
#include <xapian.h>

#include "defter/archive/importer.hpp"
#include "defter/indexer/gazetteer.hpp"
#include "defter/indexer/index.hpp"
#include "defter/indexer/index_schema.hpp"
#include "defter/indexer/search.hpp"
#include "index_files.hpp"
#include "sample.hpp"
#include "support.hpp"

using namespace defter;

namespace {

using test::Sample;
using test::kSeed;

}  // namespace

TEST_CASE("inflected forms find their document in each language", "[indexer]") {
  Sample s;
  // English: "relation" finds "relations".
  CHECK(s.finds("relation cooperate", "en", "a:" + kSeed + "/en"));
  // Turkish: "ilişki" finds "ilişkilerini", "Kazakistan" finds "Kazakistan’ın".
  CHECK(s.finds("ilişki", "tr", "a:" + kSeed + "/tr"));
  CHECK(s.finds("Kazakistan zirve", "tr", "a:" + kSeed + "/tr"));
  // Russian: "Казахстану" finds "Казахстан", "Казахстана".
  CHECK(s.finds("Казахстану", "ru", "a:" + kSeed + "/ru"));
  CHECK(s.finds("союзом торговли", "ru", "a:eaeu-ten-years/ru"));
  // Chinese, by n-grams: a word inside a longer run.
  CHECK(s.finds("哈萨克斯坦", "zh", "a:" + kSeed + "/zh"));
  CHECK(s.finds("光缆", "zh", "a:digital-silk-road-central-asia/zh"));
  // Debian's translated manual page: Turkish "parola" finds "parolasını",
  // Russian "пароля" finds "пароль", Chinese "密码".
  CHECK(s.finds("parola", "tr", "a:passwd-1-manual-page/tr"));
  CHECK(s.finds("пароля", "ru", "a:passwd-1-manual-page/ru"));
  CHECK(s.finds("密码", "zh", "a:passwd-1-manual-page/zh"));
  CHECK(s.finds("passwords", "en", "a:passwd-1-manual-page/en"));
}

TEST_CASE("Turkish and Russian folding in the index", "[indexer]") {
  Sample s;
  const std::string tr = "a:" + kSeed + "/tr";
  for (const char* q : {"İyi Komşuluk", "IYI KOMŞULUK", "iyi komsuluk", "ILIŞKILER", "İLİŞKİLERİ", "ilişkileri"})
    CHECK(s.finds(q, "tr", tr));
  // The Russian seed writes "придаёт"; a query with е finds it, and the other way round.
  CHECK(s.finds("придает", "ru", "a:" + kSeed + "/ru"));
  CHECK(s.finds("приведённых", "ru", "a:" + kSeed + "/ru"));
}

TEST_CASE("accent-insensitive matches", "[indexer]") {
  Sample s;
  CHECK(s.finds("Turkiye", "tr", "a:orta-koridor-turkiye-azerbaycan-gurcistan/tr"));
  CHECK(s.finds("Turkiye", "en", "a:orta-koridor-turkiye-azerbaycan-gurcistan/en"));
  CHECK(s.finds("Basaran", "tr", "u:dogacan-basaran/tr"));
  CHECK(s.finds("Dogacan Basaran", "en", "a:" + kSeed + "/en"));  // the author's name is in the article
}

TEST_CASE("countries named only in the text come out as mentioned countries", "[indexer]") {
  Sample s;
  // The seed's record names no country; its text names six.
  for (const char* code : {"CN", "KZ", "KG", "UZ", "TJ", "TM"}) {
    INFO(code);
    CHECK(s.finds("", "en", "a:" + kSeed + "/en", std::string("XM") + code));
    CHECK(s.finds("", "en", "a:" + kSeed + "/en", std::string("XK") + code));
  }
  // A country named only in Russian text, inflected ("Казахстана", "России").
  CHECK(s.finds("", "ru", "a:cpc-pipeline-kazakhstan-energy-security/ru", "XMKZ"));
  CHECK(s.finds("", "ru", "a:cpc-pipeline-kazakhstan-energy-security/ru", "XMRU"));
  // ... and only in Turkish text ("Kazakistan'ın", "Tacikistan'da").
  CHECK(s.finds("", "tr", "a:" + kSeed + "/tr", "XMKZ"));
  CHECK(s.finds("", "tr", "a:" + kSeed + "/tr", "XMTJ"));
  // Subjects and mentions stay apart: the Aral article's record names UZ.
  CHECK(s.finds("", "en", "a:aral-sea-basin-water-politics/en", "XCUZ"));
  CHECK_FALSE(s.finds("", "en", "a:" + kSeed + "/en", "XCKZ"));
}

TEST_CASE("the seed's countries are exactly China and the five Central Asian states, in every language", "[indexer][entities]") {
  Sample s;
  auto searcher = indexer::Searcher::open(s.options, *s.archive);
  REQUIRE(searcher.ok());
  auto countries = (*searcher)->countries(kSeed);
  REQUIRE(countries.ok());
  std::set<std::string> all(countries->subject.begin(), countries->subject.end());
  all.insert(countries->mentioned.begin(), countries->mentioned.end());
  CHECK(all == std::set<std::string>{"CN", "KG", "KZ", "TJ", "TM", "UZ"});
  // Translation by translation: the Turkish one was tagged Bhutan, Mali,
  // Sudan, Slovenia and Togo by stems ("sudan" is "from water").
  for (const char* lang : {"en", "tr", "ru"})
    for (const char* code : {"BT", "ML", "SD", "SI", "TG", "RU", "TR", "IN"}) {
      INFO(lang << " " << code);
      CHECK_FALSE(s.finds("", lang, "a:" + kSeed + "/" + lang, std::string("XK") + code));
    }
  // The manual page names no country; the Aral article is not about Sudan.
  CHECK(s.ids("", "tr", "XKSD").empty());
  CHECK(s.ids("", "ru", "XKTG").empty());
  CHECK(s.ids("", "tr", "XKML").empty());
}

TEST_CASE("the gazetteer combines maintained sources", "[indexer]") {
  auto& g = indexer::Gazetteer::instance();
  CHECK(g.languages() >= 50);
  CHECK(g.lookup("Казахстан") == std::vector<std::string>{"KZ"});
  CHECK(g.lookup("Kazakistan") == std::vector<std::string>{"KZ"});
  CHECK(g.lookup("kz") == std::vector<std::string>{"KZ"});
  CHECK(g.lookup("Россия") == std::vector<std::string>{"RU"});  // a short form iso-codes lacks
  CHECK(g.lookup("Rusya") == std::vector<std::string>{"RU"});
  CHECK(g.lookup("哈萨克斯坦") == std::vector<std::string>{"KZ"});
  CHECK(g.label("KZ", "tr") == "Kazakistan");
  CHECK(g.label("KZ", "ru") == "Казахстан");
  CHECK(g.label("KZ", "zh") == "哈萨克斯坦");
  CHECK(g.label("KZ", "xx") == "Kazakhstan");
}

TEST_CASE("cites: finds every article citing a source", "[indexer]") {
  Sample s;
  CHECK(s.finds("", "en", "a:" + kSeed + "/en", "XSorient"));
  CHECK(s.finds("", "en", "a:" + kSeed + "/en", "XSaki_press"));
  CHECK(s.finds("", "ru", "a:" + kSeed + "/ru", "XScgtn"));
  CHECK(s.finds("", "ru", "a:cpc-pipeline-kazakhstan-energy-security/ru", "XSorient") == false);
  auto citing_orient = s.ids("", "en", "XSorient");
  CHECK(std::find(citing_orient.begin(), citing_orient.end(), "a:aral-sea-basin-water-politics/en") != citing_orient.end());
}

TEST_CASE("an untranslated passage stays findable by its own words", "[indexer]") {
  Sample s;
  // The Turkish article on Iran keeps one English paragraph: English stems find it.
  CHECK(s.finds("intrusions alliance", "en", "a:iran-imparatorluk-dusuncesi/tr"));
  CHECK(s.finds("", "tr", "a:iran-imparatorluk-dusuncesi/tr", "XLen"));
  // Debian's Russian passwd page ships English paragraphs too.
  CHECK(s.finds("superuser", "en", "a:passwd-1-manual-page/ru"));
}

TEST_CASE("footnote markers are not words, while titles, authors and dates are terms", "[indexer]") {
  Sample s;
  CHECK(s.ids("17", "en", "XA" + kSeed).empty());  // [17] is a marker; no text says 17
  CHECK_FALSE(s.ids("19", "en", "XA" + kSeed).empty());  // "18-19 May 2023" does
  CHECK(s.finds("", "en", "a:" + kSeed + "/en", "Adogacan-basaran"));
  CHECK(s.finds("", "en", "a:" + kSeed + "/en", "Y2023"));
  CHECK(s.finds("", "en", "a:" + kSeed + "/en", "M202305"));
  CHECK(s.finds("", "tr", "a:iran-imparatorluk-dusuncesi/tr", "M202109"));
  CHECK(s.finds("", "en", "a:" + kSeed + "/en", "Len"));
  CHECK(s.finds("", "en", "a:" + kSeed + "/en", "XTarticle"));
  CHECK(s.finds("", "zh", "u:wang-li/zh", "XTauthor"));
}

TEST_CASE("deleting a record removes its documents, and verify agrees", "[indexer]") {
  Sample s;
  REQUIRE(s.archive->write([&](archive::WriteBatch& b) -> Status {
    auto r = b.remove(schema::RecordType::kTranslation, kSeed, "zh");
    return r.ok() ? Status() : r.status();
  }).ok());
  auto before = indexer::verify(*s.archive, s.options);
  REQUIRE(before.ok());
  CHECK(before->orphan == std::vector<std::string>{"a:" + kSeed + "/zh"});
  CHECK(before->stale.size() == 3);  // the other translations list the languages
  auto writer = indexer::IndexWriter::open(s.options);
  REQUIRE(writer.ok());
  auto drained = (*writer)->drain(*s.archive);
  REQUIRE(drained.ok());
  CHECK(drained->changes == 1);
  auto after = indexer::verify(*s.archive, s.options);
  REQUIRE(after.ok());
  CHECK(after->clean());
  REQUIRE(s.reader->refresh().ok());
  CHECK_FALSE(s.finds("哈萨克斯坦", "zh", "a:" + kSeed + "/zh"));
}

TEST_CASE("a second writer is refused while one holds the index", "[indexer]") {
  Sample s;
  auto first = indexer::IndexWriter::open(s.options);
  REQUIRE(first.ok());
  auto second = indexer::IndexWriter::open(s.options);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == Code::kLocked);
}

TEST_CASE("reindex while another thread searches: no search fails or sees an empty index", "[indexer]") {
  Sample s;
  std::atomic<bool> done{false};
  std::atomic<int> searches{0}, failures{0}, empty{0};
  std::thread searcher([&] {
    auto reader = indexer::IndexReader::open(s.options);
    if (!reader.ok()) {
      ++failures;
      return;
    }
    while (!done) {
      if (!(*reader)->refresh().ok()) ++failures;
      auto n = (*reader)->count("Kazakhstan", "en");
      if (!n.ok()) ++failures;
      else if (*n == 0) ++empty;
      ++searches;
    }
  });
  for (int i = 0; i < 5; ++i) {
    auto options = s.options;
    options.jobs = 1 + i % 3;  // one thread, or shards merged
    auto r = indexer::reindex(*s.archive, options);
    INFO((r.ok() ? std::string() : r.status().to_string()));
    REQUIRE(r.ok());
  }
  done = true;
  searcher.join();
  CHECK(searches > 0);
  CHECK(failures == 0);
  CHECK(empty == 0);
  auto report = indexer::verify(*s.archive, s.options);
  REQUIRE(report.ok());
  CHECK(report->clean());
}

TEST_CASE("a record with a very long token still indexes (regression)", "[indexer]") {
  Sample s;
  std::string blob(400, 'q');
  REQUIRE(s.archive->write([&](archive::WriteBatch& b) -> Status {
    schema::TranslationRecord t{kSeed, "de", {}};
    t.translation.title = "Lange Zeichenkette";
    t.translation.body = "Vorher " + blob + " nachher https://example.org/" + blob;
    auto r = b.put(t);
    return r.ok() ? Status() : r.status();
  }).ok());
  auto writer = indexer::IndexWriter::open(s.options);
  REQUIRE(writer.ok());
  auto drained = (*writer)->drain(*s.archive);
  INFO((drained.ok() ? std::string() : drained.status().to_string()));
  REQUIRE(drained.ok());
  REQUIRE(s.reader->refresh().ok());
  CHECK(s.finds("nachher", "de", "a:" + kSeed + "/de"));
  auto report = indexer::verify(*s.archive, s.options);
  REQUIRE(report.ok());
  CHECK(report->clean());
}

TEST_CASE("an index of an older format is reported until reindex brings it forward", "[indexer]") {
  Sample s;
  {
    auto stats = indexer::index_stats(s.options);
    REQUIRE(stats.ok());
    CHECK(stats->format == indexer::kIndexFormat);
    // The index as an older defter left it: format 2.
    Xapian::WritableDatabase db((s.options.dir / stats->generation).string(), Xapian::DB_OPEN);
    db.set_metadata(std::string(indexer::meta::kFormat), "2");
    db.commit();
  }
  auto report = indexer::verify(*s.archive, s.options);
  REQUIRE(report.ok());
  CHECK(report->consistent());
  CHECK(report->outdated());
  CHECK_FALSE(report->clean());
  REQUIRE(indexer::reindex(*s.archive, s.options).ok());
  report = indexer::verify(*s.archive, s.options);
  REQUIRE(report.ok());
  CHECK(report->format == indexer::kIndexFormat);
  CHECK(report->clean());
}

TEST_CASE("an index of a newer format is not written to, and the message names the command that rebuilds it", "[indexer]") {
  Sample s;
  {
    auto stats = indexer::index_stats(s.options);
    REQUIRE(stats.ok());
    Xapian::WritableDatabase db((s.options.dir / stats->generation).string(), Xapian::DB_OPEN);
    db.set_metadata(std::string(indexer::meta::kFormat), std::to_string(indexer::kIndexFormat + 1));
    db.commit();
  }
  // Nothing of this defter's is written into it; what it holds is reported.
  auto writer = indexer::IndexWriter::open(s.options);
  REQUIRE_FALSE(writer.ok());
  CHECK(writer.status().code() == Code::kUnsupported);
  CHECK_THAT(writer.status().message(), Catch::Contains("newer than this defter's") && Catch::Contains("defter reindex"));
  auto stats = indexer::index_stats(s.options);
  REQUIRE(stats.ok());
  CHECK(stats->format == indexer::kIndexFormat + 1);
  // The archive holds everything the index is made of: reindex makes one of this format.
  REQUIRE(indexer::reindex(*s.archive, s.options).ok());
  auto report = indexer::verify(*s.archive, s.options);
  REQUIRE(report.ok());
  CHECK(report->format == indexer::kIndexFormat);
  CHECK(report->clean());
}

TEST_CASE("the live generation is the second word of index/current, and a file that names none names no generation", "[indexer]") {
  test::TempDir dir;
  const auto index = dir.path() / "index";
  std::filesystem::create_directories(index);
  CHECK(indexer::current_generation(index).empty());  // no such file at all
  auto current = [&](const std::string& text) {
    std::ofstream(index / indexer::kStub, std::ios::trunc) << text;
    return indexer::current_generation(index);
  };
  CHECK(current("auto gen-000007\n") == "gen-000007");
  CHECK(current("auto gen-000007") == "gen-000007");            // no newline
  CHECK(current("  auto\t gen-000008 \n\n") == "gen-000008");  // any whitespace
  CHECK(current("auto gen-000009 trailing\n") == "gen-000009");
  // A generation name longer than any read buffer is read whole.
  std::string longer = "gen-" + std::string(5000, '1');
  CHECK(current("auto " + longer + "\n") == longer);
  CHECK(current("").empty());
  CHECK(current(" \n\t ").empty());
  CHECK(current("auto").empty());
  CHECK(current("auto \n").empty());
}

TEST_CASE("the first stub names one generation: a second creator is told, and a leftover generation is passed over", "[indexer]") {
  test::TempDir dir;
  const auto index = dir.path() / "index";
  std::filesystem::create_directories(index);
  REQUIRE(indexer::write_current(index, indexer::generation_name(1), true).ok());
  CHECK(indexer::current_generation(index) == indexer::generation_name(1));
  // Another process that also found no stub, with a generation of its own.
  Status second = indexer::write_current(index, indexer::generation_name(2), true);
  CHECK(second.code() == Code::kConflict);
  CHECK(indexer::current_generation(index) == indexer::generation_name(1));  // the first one stays
  // No temporary file of either is left behind.
  for (const auto& e : std::filesystem::directory_iterator(index)) CHECK(e.path().filename() == indexer::kStub);
  // A switch (reindex) still replaces it.
  REQUIRE(indexer::write_current(index, indexer::generation_name(3)).ok());
  CHECK(indexer::current_generation(index) == indexer::generation_name(3));

  // A creator killed before naming its generation leaves it without a stub:
  // the next writer makes a generation of its own and names it.
  test::TempDir other;
  indexer::IndexOptions o;
  o.dir = other.path() / "index";
  std::filesystem::create_directories(o.dir / indexer::generation_name(1));
  auto writer = indexer::IndexWriter::open(o);
  REQUIRE(writer.ok());
  CHECK(indexer::current_generation(o.dir) == indexer::generation_name(2));
}
