// Searching the index: the query language, filters and facets, translations
// collapsed into one hit per article, snippets, spelling suggestions and
// completions. The CLI and the HTTP server both call this; neither builds a
// Xapian query itself.
//
// The query language (docs/query-language.md has the user's version):
//   words                  all must match (stemmed, folded per language)
//   "a phrase"             the words in that order
//   a OR b, a AND b, NOT a, +a, -a, ( ... )
//   kaz*                   words beginning with "kaz" (the most frequent
//                          kMaxExpansion of them)
//   title:  author:  country:  lang:  type:  cites:   fields (fields.hpp)
//   date:2023-01..2023-06  year:2020..2023            ranges, open ends allowed
// A query that cannot be read as written is searched as its plain words,
// and the response says so.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"
#include "defter/indexer/fields.hpp"
#include "defter/indexer/index.hpp"
#include "defter/schema/status.hpp"

namespace defter::indexer {

inline constexpr std::size_t kMaxPageSize = 100;
inline constexpr std::size_t kMaxQueryWords = 64;   // words beyond are ignored, and the response says so
inline constexpr unsigned kMaxExpansion = 100;       // terms a wildcard expands to
inline constexpr std::uint64_t kExactCountLimit = 200000;  // matches counted exactly (facets and total)

enum class SortOrder { kRelevance, kNewest, kOldest };

struct SearchRequest {
  std::string query;  // the query language above; empty = browse what the filters select
  // Filters by field name (the rows of fields.hpp with `filter`): values
  // OR within a filter, filters AND. Countries may be codes or names in
  // any language; months are "YYYY-MM".
  std::map<std::string, std::vector<std::string>> filters;
  std::string from, to;  // publication date range, "YYYY", "YYYY-MM" or "YYYY-MM-DD"; either may be empty
  std::vector<std::string> facets = facet_names();  // the facets to count
  std::size_t facet_size = 20;  // values per facet (selected values always included)
  SortOrder sort = SortOrder::kRelevance;  // kRelevance with an empty query lists newest first
  std::size_t page = 1;  // 1-based
  std::size_t size = 10;  // capped at kMaxPageSize
  std::vector<std::string> languages;  // preferred translation languages, best first
  std::string ui_lang = "en";  // language of facet labels
  bool highlight = true;  // <mark> in titles and snippets
  // Titles and snippets as plain text (format=text): nothing escaped,
  // nothing marked, for clients that show no HTML.
  bool plain_text = false;
  std::size_t snippet_chars = 240;
  // How long the search may take (0: no limit). Past it, search() gives up
  // with kTimeout: checked as the matcher visits documents, so a search
  // ends within a few milliseconds of its budget.
  std::chrono::milliseconds budget{0};
};

struct Hit {
  std::string type;  // "article" or "author"
  std::string id;
  std::string lang;  // the translation shown ("" for an author without a biography)
  std::vector<std::string> languages;  // all languages the article (or biography) exists in
  std::string title;    // HTML-escaped, matches in <mark> (plain text with plain_text)
  std::string snippet;  // HTML-escaped, matches in <mark> (plain text with plain_text)
  std::string published;
  std::vector<std::pair<std::string, std::string>> authors;  // (id, name)
  std::vector<std::string> subject_countries, mentioned_countries;
  double score = 0;
};

struct ArticleCountries {
  std::vector<std::string> subject, mentioned;  // codes, sorted; mentioned excludes subject
  bool indexed = false;                          // whether any document of the article was found
};

struct FacetValue {
  std::string value, label;
  std::uint64_t count = 0;
  bool selected = false;
  // Countries only: articles where it is a subject, and where only mentioned.
  std::uint64_t subject = 0, mentioned = 0;
};

struct QueryReading {
  std::string text;        // as given
  std::string understood;  // as searched, in the query language
  bool plain_words = false;  // the query could not be read as written: searched as plain words
  std::vector<std::string> notes;  // how it was read, for the user
};

struct SearchResponse {
  QueryReading query;
  std::uint64_t total = 0;
  bool total_exact = true;
  std::size_t page = 1, size = 10;
  std::vector<Hit> hits;
  std::map<std::string, std::vector<FacetValue>> facets;
  std::string suggestion;  // "did you mean", empty when none
  std::string ui_lang = "en";  // the request's: what to_json names countries in
  // Wall-clock stages. Counting (facets) runs on a second thread alongside
  // ranking (match) and the snippets, so the stages overlap: facets is from
  // the start of matching to the last count, plus labelling; snippets from
  // the ranked page to its last snippet; total is the whole search.
  struct Timings {
    double parse_ms = 0, match_ms = 0, facets_ms = 0, snippets_ms = 0, total_ms = 0;
  } timings;
};

struct Suggestion {
  std::string kind;   // "title", "author" or "country"
  std::string text;   // what to show
  std::string value;  // article id, author id or country code
};

// One reader of the index, with the analyzers and state a search needs.
// Not thread-safe: one per thread (Xapian objects are not thread-safe).
// Each search also runs on a second thread of its own, with a second
// reader, for the counts and half the snippets; so a searcher holds two
// Xapian readers, and a search keeps two cores busy while it lasts.
// The archive is read for snippets and author names; it must outlive this.
class Searcher {
 public:
  // kNotFound when there is no index yet.
  static Result<std::unique_ptr<Searcher>> open(const IndexOptions& options, archive::Archive& archive);
  ~Searcher();

  // Runs a search. Never fails on what the query says (see QueryReading);
  // errors are the environment's (kIOError, kCorruption).
  Result<SearchResponse> search(const SearchRequest& request);

  // Completions of titles, author names and country names that begin with
  // `prefix` (its last word a prefix, earlier words whole), any script;
  // countries named in `ui_lang` (else English).
  Result<std::vector<Suggestion>> suggest(const std::string& prefix, std::size_t limit = 10, const std::string& ui_lang = "en");

  // The countries of an article as the index knows them, over all its
  // translations: its record's (subject) and those its texts name
  // (mentioned, the gazetteer's finds). Empty when it is not indexed.
  Result<ArticleCountries> countries(const std::string& article_id);

  // Sees the latest commit, or the generation a reindex switched to. Cheap
  // when nothing changed.
  Status refresh();
  std::uint64_t documents() const;

 private:
  struct Impl;
  explicit Searcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The JSON text of a response, exactly as the HTTP API returns it: written
// straight out, in the order nlohmann::json's dump() gives (keys sorted),
// without building a json value first (a server writes one a search).
std::string to_json_text(const SearchResponse& response);
// The same, as a value (read back from to_json_text: one shape, one place).
nlohmann::json to_json(const SearchResponse& response);
nlohmann::json to_json(const std::vector<Suggestion>& suggestions);

// "relevance", "newest", "oldest".
std::optional<SortOrder> parse_sort(const std::string& name);

}  // namespace defter::indexer
