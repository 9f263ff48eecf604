// Wildcards (kaz*) as one merged posting list (internal to indexer/).
#pragma once

#include <xapian.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "defter/indexer/search.hpp"

namespace defter::indexer::detail {

// The documents a wildcard matches: the kMaxExpansion most frequent terms
// with its prefix, their posting lists read once per search in a tight loop
// into one list, each document with the summed wdf of its expansions.
// Xapian's own OP_WILDCARD merges the lists through a tree of OR nodes on
// every pass, which on a short prefix of common words (kö*) cost more than
// everything else a search does; the list here is shared, read-only, by the
// ranking pass and every counting pass on both threads.
struct PrefixMatches {
  std::vector<Xapian::docid> docs;  // ascending
  std::vector<Xapian::termcount> wdf;  // of docs[i]
};

// The documents of the kMaxExpansion most frequent terms with `prefix`.
std::shared_ptr<const PrefixMatches> expand_prefix(const Xapian::Database& db, const std::string& prefix);

// A wildcard's documents as a query: weighted like one word that occurs
// wherever its expansions do (BM25's saturation of the summed wdf, without
// length normalisation, times the word's idf), so early termination still
// works when it is ORed with other words.
class PrefixSource : public Xapian::PostingSource {
 public:
  explicit PrefixSource(std::shared_ptr<const PrefixMatches> m) : m_(std::move(m)) {}

  Xapian::doccount get_termfreq_min() const override { return count(); }
  Xapian::doccount get_termfreq_est() const override { return count(); }
  Xapian::doccount get_termfreq_max() const override { return count(); }
  void init(const Xapian::Database& db) override {
    at_ = 0;
    started_ = false;
    double n = static_cast<double>(count()), total = static_cast<double>(db.get_doccount());
    double tw = (total - n + 0.5) / (n + 0.5);
    if (tw < 2) tw = tw * 0.5 + 1;  // as Xapian's BM25Weight keeps the idf of common words above zero
    idf_ = std::log(tw);
    set_maxweight(idf_ * 2);
  }
  void next(double) override {
    if (started_) ++at_;
    started_ = true;
  }
  void skip_to(Xapian::docid did, double) override {
    std::size_t from = started_ ? at_ : 0;
    started_ = true;
    at_ = static_cast<std::size_t>(std::lower_bound(m_->docs.begin() + static_cast<long>(from), m_->docs.end(), did) -
                                   m_->docs.begin());
  }
  bool at_end() const override { return started_ && at_ >= m_->docs.size(); }
  Xapian::docid get_docid() const override { return m_->docs[at_]; }
  double get_weight() const override {
    double wdf = static_cast<double>(m_->wdf[at_]);
    return idf_ * 2 * wdf / (1 + wdf);
  }
  PrefixSource* clone() const override { return new PrefixSource(m_); }
  std::string name() const override { return "defter.PrefixSource"; }

 private:
  Xapian::doccount count() const { return static_cast<Xapian::doccount>(m_->docs.size()); }
  std::shared_ptr<const PrefixMatches> m_;
  std::size_t at_ = 0;
  bool started_ = false;
  double idf_ = 0;
};

}  // namespace defter::indexer::detail
