// The search API on generated corpora: exact facet counts, one-pass
// counting, phrases by pair terms and prefixes by one merged list, and a
// searcher that keeps answering while the index is written.
#include "search_fixture.hpp"

TEST_CASE("facet counts are exact on a generated corpus", "[indexer][search][threads]") {
  Generated g(static_cast<int>(test::scaled(3000, 300)), 60, 7);
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
  Generated g(static_cast<int>(test::scaled(1200, 300)), 60, 5);
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
  Generated g(static_cast<int>(test::scaled(1500, 500)), 80, 11);
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

TEST_CASE("a searcher keeps answering while the index is written and reindexed", "[indexer][search][threads]") {
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
