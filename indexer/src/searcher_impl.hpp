// Searcher's state and its parts (internal to indexer/): query_compiler.cpp
// turns a request into Xapian queries; search.cpp opens the index, runs a
// search (ranking, counting, hits, snippets, spelling) and holds the
// public Searcher.
#pragma once

#include "defter/indexer/search.hpp"

#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <optional>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "defter/indexer/analysis.hpp"
#include "defter/indexer/gazetteer.hpp"
#include "defter/indexer/index_schema.hpp"
#include "doc_sets.hpp"
#include "document.hpp"
#include "facets.hpp"
#include "index_files.hpp"
#include "defter/indexer/labels.hpp"
#include "match_deciders.hpp"
#include "parallel_count.hpp"
#include "query.hpp"
#include "query_parts.hpp"
#include "snippet.hpp"
#include "wildcard.hpp"

namespace defter::indexer {

using namespace detail;
using nlohmann::json;
using query::Node;

inline constexpr std::size_t kMaxOffset = 10000;  // results a page may start at (deep paging costs memory)
inline constexpr std::uint64_t kFewResults = 3;    // fewer than this and a spelling suggestion is looked for

struct Searcher::Impl {
  IndexOptions options;
  archive::Archive* archive = nullptr;
  Xapian::Database db;
  Xapian::Database counter;  // the counting thread's reader, at db's revision
  std::string generation;
  std::vector<std::string> languages;  // of the index's documents (L terms)
  std::map<std::string, std::unique_ptr<Analyzer>> analyzers, helper_analyzers;
  std::map<std::string, std::shared_ptr<const PrefixMatches>> expansions;  // of the search running
  std::map<std::string, bool> term_in_languages;  // of the search running: "langs\0term" -> found
  std::map<std::string, std::vector<std::string>> word_countries_cache;
  FacetTable table;  // of db's current revision
  std::map<std::string, std::shared_ptr<const DocSet>> language_sets;  // of db's current revision (language_set)
  // Authors' display names for the author facet, read from the archive
  // once per revision of the index (a renamed author is reindexed).
  std::unordered_map<std::string, std::string> author_names;
  PairWords pair_words;  // of the index (document.hpp)
  // When the search running must end (SearchRequest::budget).
  Clock::time_point deadline_at = Clock::time_point::max();
  ExcludeArticles nothing_excluded;

  Status open();
  // What is read once per revision of the index: its languages, the facet table.
  void load_derived();
  void load_languages();
  // The analyzers of this thread and of a search's second thread (an
  // Analyzer is for one thread).
  Analyzer& analyzer(const std::string& lang);
  Analyzer& helper_analyzer(const std::string& lang);
  static Analyzer& analyzer_in(std::map<std::string, std::unique_ptr<Analyzer>>& set, const std::string& lang);
  // Words beginning with `prefix` (a term prefix and the word's start), the
  // most frequent kMaxExpansion of them; expanded once per search.
  Xapian::Query wildcard(const std::string& prefix);
  bool exists(const std::string& t);
  // Countries one word of the query names, in any language the index holds,
  // by the forms the recogniser knows ("Казахстана", "Kazakistan'ın") or a
  // Latin transliteration of a name ("Kazahstan").
  const std::vector<std::string>& word_countries(const std::string& text);
  std::set<std::string> languages_and_english() const;
  // Checks and resolves the fields of the tree; "" when all are readable,
  // else why not.
  std::string resolve(Node& n);
  // A CJK run as Xapian's n-grams, as the indexer's TermGenerator made them.
  Xapian::Query cjk_query(const std::string& run, const std::string& pfx, bool phrase);
  // Words of a text as a query in one language: each word by its folded
  // form or its stem; with a prefix for fields (title, author name).
  Xapian::Query words_query(const Analyzer& an, const std::string& text, const std::string& pfx, bool last_is_prefix,
                            bool by_stem = true);
  Xapian::Query phrase_query(const Analyzer& an, const std::string& text);
  // A word written in a script other than Latin also as its Latin
  // transliteration (latin_folded), as names are indexed: "Башаран" finds
  // Başaran, "Соколова" an author written Sokolova.
  Xapian::Query with_latin(Xapian::Query q, const std::string& text, const std::string& pfx);
  Xapian::Query with_countries(Xapian::Query q, const std::vector<std::string>& codes);
  // A node as a query in one language; none when it holds nothing to search
  // for (punctuation); an empty Query when it can match nothing.
  std::optional<Xapian::Query> compile(const Node& n, const Analyzer& an);
  Xapian::Query compile_field(const Node& n, const Analyzer& an);
  // What a search remembers while it runs (its queries are compiled once per pass).
  void forget_search();
  // Terms every document matching q holds (some, not necessarily all).
  static void required_terms(const Xapian::Query& q, std::vector<std::string>& out);
  // False when no document in one of `langs` can match q: the rarest term
  // q requires is in none of them. A Latin word is rarely in a Chinese
  // text, and the Chinese group of a query of Latin words otherwise costs
  // a whole intersection of posting lists that finds nothing.
  bool may_match_in(const Xapian::Query& q, const std::vector<std::string>& langs);
  // The query text across languages: parsed once per language of the index
  // with its analysis, each part filtered to its language, the parts OR-ed.
  // Languages whose parts come out the same share one part.
  // What a text found only through a country's name weighs (see with_countries):
  // about a query word found once in a text of ordinary length.
  static constexpr double kCountryMatchWeight = 0.5;
  Status known_author(const std::string& id);
  std::optional<Xapian::Query> across_languages(const Node& root);
  std::shared_ptr<const DocSet> language_set(const std::vector<std::string>& langs);
  // What to highlight in a text of `lang`.
  void collect_highlight(const Node& n, const Analyzer& an, Highlight& h);
  // The request as queries; `exclusions`: also find the articles the
  // query's top-level exclusions leave out (a search of its own).
  Result<Compiled> compile_request(const SearchRequest& req, Node& root, bool exclusions = true);
  Xapian::doccount check_limit();
  // Runs a search once (the caller retries when the database moved on).
  SearchResponse run(const SearchRequest& req_in, query::Parsed parsed, bool or_fallback);
  void prefer_languages(const SearchRequest& req, const Compiled& c, std::vector<Xapian::Document>& docs);
  static Hit hit_of(const Xapian::Document& doc, double weight);
  // Title highlighted, and a snippet of the body (or biography) from the archive.
  void add_text(Hit& h, const archive::Reader& reader, const Highlight& hl, const SearchRequest& req, const Analyzer& an);
  std::string author_label(const std::string& id, const archive::Reader* reader);
  std::vector<FacetValue> facet_values(const std::string& facet, const FacetSpy& spy, const SearchRequest& req,
                                       const archive::Reader* reader);
  // "Did you mean": the query with each word the index does not know
  // replaced by the spelling dictionary's nearest word.
  std::string spelling(const SearchRequest& req, const Node& root);
  std::uint64_t count(const std::string& text);
};

}  // namespace defter::indexer
