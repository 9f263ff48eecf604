// Fuzz target: the query parser and the search request built from it, run
// against the sample archive's index. The first byte chooses the sort, the
// page and a filter; the rest is the query text (any bytes). Invariants: a
// search never fails on what the query says; a page holds at most its size
// and the total counts at least the hits before it; suggestions never fail.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "defter/indexer/search.hpp"
#include "fuzz_support.hpp"
#include "query.hpp"

using namespace defter;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static std::unique_ptr<indexer::Searcher> searcher = [] {
    fuzz::Sample& sample = fuzz::Sample::get();
    auto opened = indexer::Searcher::open(sample.index, *sample.archive);
    if (!opened) fuzz::broken("open the searcher: " + opened.status().to_string());
    return std::move(*opened);
  }();
  if (size == 0) return 0;
  std::uint8_t knobs = data[0];
  std::string text = fuzz::text_of(data + 1, size - 1);

  indexer::query::Parsed parsed = indexer::query::parse(text, 64);
  (void)indexer::query::describe(parsed.root);

  indexer::SearchRequest request;
  request.query = text;
  request.sort = static_cast<indexer::SortOrder>(knobs % 3);
  request.page = (knobs >> 2) % 4 == 3 ? 1000000 : 1 + (knobs >> 2) % 4;
  request.size = 5;
  if (knobs & 0x40) request.filters["lang"] = {"tr", "ru"};
  if (knobs & 0x80) request.filters["country"] = {"KZ", "Kazakhstan"};
  auto found = searcher->search(request);
  if (!found) fuzz::broken("a search failed: " + found.status().to_string() + " for query: " + text);
  if (found->hits.size() > request.size) fuzz::broken("more hits than the page size");
  if (!found->hits.empty() && found->total < (request.page - 1) * request.size + found->hits.size())
    fuzz::broken("a total smaller than the hits up to this page");
  auto suggested = searcher->suggest(text, 10);
  if (!suggested) fuzz::broken("suggest failed: " + suggested.status().to_string() + " for: " + text);
  return 0;
}
