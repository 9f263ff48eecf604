// The sample archive (tools/sample), imported and indexed in a temporary
// directory: the seed in four languages, analyses in English, Turkish,
// Russian and Chinese, and Debian's translated passwd(1) manual page.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "defter/archive/importer.hpp"
#include "defter/indexer/index.hpp"
#include "support.hpp"

namespace defter::test {

inline const std::string kSeed = "china-central-asia-c5-summit-2023";

struct Quiet : archive::ImportListener {};

// The sample archive, imported and indexed, in a temporary directory.
struct Sample {
  test::TempDir dir;
  std::unique_ptr<archive::Archive> archive;
  indexer::IndexOptions options;
  std::unique_ptr<indexer::IndexReader> reader;

  Sample() {
    archive::Options o;
    o.dir = dir.path() / "archive";
    archive = std::move(archive::Archive::open(o).value());
    std::vector<std::string> files;
    for (const char* f : {"10-authors.jsonl", "20-articles.jsonl", "30-translations.jsonl", "40-manual-page.jsonl"})
      files.push_back((test::source_dir() / "tools" / "sample" / f).string());
    Quiet quiet;
    REQUIRE(archive::import_jsonl(*archive, files, {}, quiet).ok());
    options.dir = dir.path() / "index";
    auto writer = indexer::IndexWriter::open(options);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->drain(*archive).ok());
    reader = std::move(indexer::IndexReader::open(options).value());
  }

  std::vector<std::string> ids(const std::string& text, const std::string& lang, const std::string& filter = "") {
    auto r = reader->ids(text, lang, filter);
    REQUIRE(r.ok());
    return *r;
  }
  bool finds(const std::string& text, const std::string& lang, const std::string& unique, const std::string& filter = "") {
    auto found = ids(text, lang, filter);
    return std::find(found.begin(), found.end(), unique) != found.end();
  }
};

}  // namespace defter::test
