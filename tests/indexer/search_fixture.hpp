// What the search tests share: the sample archive with a Searcher
// (Search), the sample's articles as hits, facet lookup, a generated corpus
// (Generated).
#pragma once

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

namespace search_test {

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

inline const std::string kSeedHit = "article:" + kSeed;
inline const std::string kAral = "article:aral-sea-basin-water-politics";
inline const std::string kEaeu = "article:eaeu-ten-years";
inline const std::string kCpc = "article:cpc-pipeline-kazakhstan-energy-security";
inline const std::string kCorridor = "article:orta-koridor-turkiye-azerbaycan-gurcistan";
inline const std::string kIran = "article:iran-imparatorluk-dusuncesi";
inline const std::string kPasswd = "article:passwd-1-manual-page";
inline const std::string kSilk = "article:digital-silk-road-central-asia";
inline const std::string kAfghan = "article:afghanistan-after-2021-northern-neighbours";

inline const indexer::FacetValue* facet(const SearchResponse& r, const std::string& name, const std::string& value) {
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

}  // namespace search_test

using namespace search_test;
