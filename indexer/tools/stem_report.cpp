// defter-stem-report: how Xapian's stemmer for a language groups the words of
// real text, stemming once versus to a fixed point (what defter indexes).
//
//   defter-stem-report LANG FILE...     (UTF-8 plain text)
//
// Prints the number of distinct words, of single-pass stems and of
// fixed-point stems, and examples of the groups the second pass joins, for a
// person to judge whether they belong together.
#include <xapian.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "defter/indexer/analysis.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: defter-stem-report LANG FILE...\n";
    return 2;
  }
  std::string lang = argv[1];
  defter::indexer::Analyzer analyzer(lang);
  Xapian::Stem stem(lang);
  std::set<std::string> words;
  std::uint64_t tokens = 0;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i]);
    std::stringstream text;
    text << in.rdbuf();
    analyzer.words(text.str(), [&](const defter::indexer::Word& w) {
      if (w.cjk || w.lower.size() < 2) return;
      ++tokens;
      words.insert(w.lower);
    });
  }
  std::map<std::string, std::set<std::string>> once, fixed;  // stem -> words
  std::map<std::string, std::set<std::string>> joined;       // fixed stem -> single-pass stems
  for (const auto& w : words) {
    std::string s1 = stem(w);
    std::string sf = analyzer.analyze(w).front().stem;
    once[s1].insert(w);
    fixed[sf].insert(w);
    joined[sf].insert(s1);
  }
  std::size_t merges = 0;
  for (auto& [sf, s1s] : joined) merges += s1s.size() - 1;
  std::cout << "language " << lang << ": " << tokens << " words of text, " << words.size() << " distinct words\n"
            << "  stemmed once:           " << once.size() << " stems\n"
            << "  stemmed to fixed point: " << fixed.size() << " stems (" << merges
            << " single-pass stems joined into others)\n"
            << "examples of joined groups (fixed stem: single-pass stem {words}):\n";
  int shown = 0;
  for (auto& [sf, s1s] : joined) {
    if (s1s.size() < 2) continue;
    if (++shown > 25) break;
    std::cout << "  " << sf << ":";
    for (auto& s1 : s1s) {
      std::cout << "  " << s1 << " {";
      int k = 0;
      for (auto& w : once[s1]) {
        if (k++ == 4) {
          std::cout << " ...";
          break;
        }
        std::cout << (k > 1 ? " " : "") << w;
      }
      std::cout << "}";
    }
    std::cout << "\n";
  }
  return 0;
}
