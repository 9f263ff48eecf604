// defter-entity-eval: the country recogniser measured on the labelled
// sentences (tests/data/entities): precision and recall per language and
// overall, and with --wrong every line it gets wrong.
//
//   defter-entity-eval DATA_DIR [--wrong]
#include <cstring>
#include <iostream>

#include "defter/indexer/gazetteer.hpp"
#include "entity_eval.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && std::strcmp(argv[2], "--wrong") != 0)) {
    std::cerr << "usage: defter-entity-eval DATA_DIR [--wrong]\n";
    return 2;
  }
  try {
    auto items = defter::eval::read_labelled(argv[1]);
    auto report = defter::eval::score(items, [](const std::string& text, const std::string& lang) {
      return defter::indexer::Gazetteer::instance().find(text, lang);
    });
    std::cout << defter::eval::format(report, argc == 3);
  } catch (const std::exception& e) {
    std::cerr << "defter-entity-eval: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
