// A fixed set of documents as a boolean posting list, read from memory
// (internal to indexer/).
#pragma once

#include <xapian.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace defter::indexer::detail {

// Documents of one revision of the index, ascending, with each docid's rank
// (how many members come before it) so that a posting list over them moves
// to any document in one step.
class DocSet {
 public:
  // `member[d]` says whether document d is in the set.
  explicit DocSet(const std::vector<bool>& member) : rank_(member.size() + 1) {
    for (std::size_t d = 0; d < member.size(); ++d) {
      rank_[d] = static_cast<std::uint32_t>(docs_.size());
      if (member[d]) docs_.push_back(static_cast<Xapian::docid>(d));
    }
    rank_[member.size()] = static_cast<std::uint32_t>(docs_.size());
  }
  const std::vector<Xapian::docid>& docs() const { return docs_; }
  // The index in docs() of the first member at or after `did`.
  std::size_t rank(Xapian::docid did) const { return did < rank_.size() ? rank_[did] : docs_.size(); }

 private:
  std::vector<Xapian::docid> docs_;
  std::vector<std::uint32_t> rank_;
};

// A DocSet as a query's boolean posting list (no weight). As a filter it
// costs an array lookup per candidate where an OR of the posting lists it
// stands for would merge them all.
class DocSetSource : public Xapian::PostingSource {
 public:
  explicit DocSetSource(std::shared_ptr<const DocSet> set) : set_(std::move(set)) {}

  Xapian::doccount get_termfreq_min() const override { return count(); }
  Xapian::doccount get_termfreq_est() const override { return count(); }
  Xapian::doccount get_termfreq_max() const override { return count(); }
  void init(const Xapian::Database&) override {
    at_ = 0;
    started_ = false;
    set_maxweight(0);
  }
  void next(double) override {
    if (started_) ++at_;
    started_ = true;
  }
  void skip_to(Xapian::docid did, double) override {
    std::size_t to = set_->rank(did);
    if (!started_ || to > at_) at_ = to;
    started_ = true;
  }
  // Moving there costs no more than checking: as skip_to (Xapian's contract
  // for check() allows it).
  bool check(Xapian::docid did, double min_weight) override {
    skip_to(did, min_weight);
    return true;
  }
  bool at_end() const override { return started_ && at_ >= set_->docs().size(); }
  Xapian::docid get_docid() const override { return set_->docs()[at_]; }
  double get_weight() const override { return 0; }
  DocSetSource* clone() const override { return new DocSetSource(set_); }
  std::string name() const override { return "defter.DocSetSource"; }

 private:
  Xapian::doccount count() const { return static_cast<Xapian::doccount>(set_->docs().size()); }
  std::shared_ptr<const DocSet> set_;
  std::size_t at_ = 0;
  bool started_ = false;
};

}  // namespace defter::indexer::detail
