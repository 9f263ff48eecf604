// defter-bench-ref-xapian: the reference for tools/bench/index and
// tools/bench/search.
//
//   defter-bench-ref-xapian FILE TARGET_DIR BATCH
//   defter-bench-ref-xapian --search DB QUERIES
//
// Reads a JSON Lines corpus into memory (not timed), then times a plain
// Xapian program indexing the same texts: one document per translation,
// Xapian's TermGenerator with the language's stemmer (CJK n-grams for
// Chinese), title, body and footnotes, committing every BATCH articles as
// defter does. No folding, gazetteer, spelling, values or filters.
// Prints "documents seconds".
//
// --search runs the "words" of each query (defter-bench-search's file) on
// an index the first form built: Xapian's QueryParser with the query's
// language's stemmer, all words required, the first 10 results; no facets,
// snippets, collapsing or filters. Once to warm up, then timed passes
// (latency.hpp: each query's median); prints "median p99 max" in
// milliseconds.
//
// This and defter-bench-ref-lmdb are the only programs outside indexer/ and
// archive/ that include xapian.h or lmdb.h: a reference must not go through
// the code it measures.
#include <xapian.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "latency.hpp"

namespace {

int search(const char* db_path, const char* queries_path) {
  struct Query {
    std::string words, lang;
  };
  std::vector<Query> queries;
  std::ifstream in(queries_path);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    queries.push_back({j.at("words"), j.at("lang")});
  }
  Xapian::Database db(db_path);
  auto time_one = [&](const Query& q) {
    auto start = std::chrono::steady_clock::now();
    Xapian::QueryParser qp;
    qp.set_database(db);
    qp.set_default_op(Xapian::Query::OP_AND);
    if (q.lang != "zh") {
      qp.set_stemmer(Xapian::Stem(q.lang));
      qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    }
    Xapian::Enquire enquire(db);
    enquire.set_query(qp.parse_query(q.words, Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_CJK_NGRAM));
    Xapian::MSet mset = enquire.get_mset(0, 10);
    std::size_t seen = 0;
    for (auto it = mset.begin(); it != mset.end(); ++it) seen += it.get_document().get_data().size();
    (void)seen;
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  auto l = defter::bench::summarize(defter::bench::time_queries(queries, time_one));
  std::printf("%.3f %.3f %.3f\n", l.median, l.p99, l.max);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--search") return search(argv[2], argv[3]);
  if (argc != 4) {
    std::fprintf(stderr, "usage: defter-bench-ref-xapian FILE TARGET_DIR BATCH | --search DB QUERIES\n");
    return 2;
  }
  struct Text {
    std::string lang, title, body;
  };
  std::vector<std::vector<Text>> articles;  // one entry a record line, in file order
  {
    std::ifstream in(argv[1]);
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line);
      std::vector<Text> texts;
      auto add = [&](const std::string& lang, const nlohmann::json& t) {
        std::string body = t.at("body");
        for (const auto& f : t.value("footnotes", nlohmann::json::array())) body += "\n" + f.at("text").get<std::string>();
        texts.push_back({lang, t.at("title"), body});
      };
      if (j["type"] == "article")
        for (auto& [lang, t] : j["translations"].items()) add(lang, t);
      else if (j["type"] == "translation")
        add(j["lang"], j);
      articles.push_back(std::move(texts));
    }
  }
  std::filesystem::remove_all(argv[2]);
  long batch = std::max(1L, std::atol(argv[3]));
  auto start = std::chrono::steady_clock::now();
  Xapian::WritableDatabase db(argv[2], Xapian::DB_CREATE_OR_OVERWRITE);
  Xapian::TermGenerator tg;
  std::size_t documents = 0;
  for (std::size_t i = 0; i < articles.size(); ++i) {
    for (const auto& t : articles[i]) {
      Xapian::Document doc;
      tg.set_document(doc);
      tg.set_stemmer(t.lang == "zh" ? Xapian::Stem() : Xapian::Stem(t.lang));  // no Chinese stemmer
      tg.set_flags(t.lang == "zh" ? Xapian::TermGenerator::FLAG_CJK_NGRAM : 0);
      tg.index_text(t.title, 5, "S");
      tg.index_text(t.title, 5);
      tg.increase_termpos();
      tg.index_text(t.body);
      db.add_document(doc);
      ++documents;
    }
    if ((i + 1) % static_cast<std::size_t>(batch) == 0) db.commit();
  }
  db.commit();
  db.close();
  std::printf("%zu %.6f\n", documents, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
}
