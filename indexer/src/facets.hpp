// Facet counting at the speed of an array lookup. A FacetTable holds, for
// every document of one revision of the index, what the facets need (its
// article, language, year, month, authors and countries) as small integers,
// read once from the value slots; a FacetSpy counts the documents a match
// sees through it, each article once (by collapse key) and each language
// once per translation. Reading values per matching document instead costs
// more than the match itself on large result sets.
#pragma once

#include <xapian.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace defter::indexer {

// Strings as dense ids.
class Interner {
 public:
  std::uint32_t id(const std::string& s);
  // The id of s, or FacetTable::kNone when it has none.
  std::uint32_t find(const std::string& s) const;
  const std::string& str(std::uint32_t id) const { return strings_[id]; }
  std::size_t size() const { return strings_.size(); }

 private:
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> strings_;
};

class FacetTable {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  struct Doc {
    std::uint32_t key = kNone;  // collapse key id; kNone: no such document
    std::uint32_t lang = kNone, year = kNone, month = kNone;
    std::uint32_t first = 0;  // into ids(): authors, then subject countries, then mentioned ones
    std::uint16_t authors = 0, subject = 0, mentioned = 0;
    bool author_record = false;
  };

  // Reads the value slots of every document of `db` as it is now.
  void load(const Xapian::Database& db);

  const Doc* doc(Xapian::docid id) const { return id < docs_.size() && docs_[id].key != kNone ? &docs_[id] : nullptr; }
  const std::vector<std::uint32_t>& ids() const { return ids_; }
  std::size_t keys() const { return keys_.size(); }
  // The most documents one article (or author) has: an upper bound on how
  // many documents a collapsed hit stands for.
  std::size_t max_documents_per_key() const { return max_per_key_; }

  Interner langs, years, months, authors, countries;

 private:
  std::vector<Doc> docs_;
  std::vector<std::uint32_t> ids_;
  Interner keys_;
  std::size_t max_per_key_ = 1;
};

// Counts the facets named in `wanted` over the documents a match sees.
// Xapian calls a match spy for every candidate before collapsing, when the
// match is asked to check at least as many documents as match.
class FacetSpy : public Xapian::MatchSpy {
 public:
  FacetSpy(const FacetTable& table, const std::set<std::string>& wanted);

  void operator()(const Xapian::Document& doc, double weight) override;
  std::string name() const override { return "defter.FacetSpy"; }

  // Also passes to `inner` each document whose `facet` (lang, type, year,
  // month or country) holds one of `values`, as the facet filter's terms
  // would select it: one pass counts a facet as if its filter were absent
  // and, through `inner`, everything else with the filter applied. False
  // when the facet cannot be checked from the table (author).
  bool feed(FacetSpy& inner, const std::string& facet, const std::set<std::string>& values);

  // Forgets what it counted (not what it feeds).
  void clear();

  std::uint64_t docs() const { return docs_; }  // documents seen
  std::uint64_t keys() const { return keys_; }  // articles and authors seen
  // Values with a count above zero.
  std::map<std::string, std::uint64_t> counts(const std::string& facet) const;
  std::uint64_t subject(const std::string& country) const;
  std::uint64_t mentioned(const std::string& country) const;

 private:
  bool passes(const FacetTable::Doc& d) const;

  const FacetTable& table_;
  FacetSpy* inner_ = nullptr;
  enum class Feed { kLang, kYear, kMonth, kType, kCountry } feed_by_ = Feed::kLang;
  std::vector<bool> feed_ids_;  // by the facet's value id
  bool feed_articles_ = false, feed_authors_ = false;  // type
  bool lang_, type_, country_, author_, year_, month_;
  std::uint64_t docs_ = 0, keys_ = 0;
  std::vector<bool> seen_;
  std::vector<std::uint64_t> lang_counts_, year_counts_, month_counts_, author_counts_, subject_counts_,
      mentioned_counts_;
  std::uint64_t articles_ = 0, author_records_ = 0;
};

}  // namespace defter::indexer
