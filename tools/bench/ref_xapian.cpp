// defter-bench-ref-xapian: the reference for tools/bench/index.
//
//   defter-bench-ref-xapian FILE TARGET_DIR BATCH
//
// Reads a JSON Lines corpus into memory (not timed), then times a plain
// Xapian program indexing the same texts: one document per translation,
// Xapian's TermGenerator with the language's stemmer (CJK n-grams for
// Chinese), title, body and footnotes, committing every BATCH articles as
// defter does. No folding, gazetteer, spelling, values or filters.
// Prints "documents seconds".
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

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: defter-bench-ref-xapian FILE TARGET_DIR BATCH\n");
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
