// The deciders, spies and key makers a search hands Xapian's matcher, and a
// compiled request (internal to indexer/).
#pragma once

#include <xapian.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>

#include "query_parts.hpp"

namespace defter::indexer::detail {

// Oldest first, records without a date (authors) last.
class OldestFirst : public Xapian::KeyMaker {
 public:
  std::string operator()(const Xapian::Document& doc) const override {
    std::string v = doc.get_value(slot::kDateStart);
    return v.empty() ? "~" : v;
  }
};

// Articles (collapse keys) a document must not belong to: the query's
// top-level exclusions apply to whole articles, so "water -cotton" leaves out
// an article whose English text says cotton even where its Turkish one says
// "pamuk".
class ExcludeArticles : public Xapian::MatchDecider {
 public:
  std::unordered_set<std::string> keys;
  bool operator()(const Xapian::Document& doc) const override { return !keys.count(doc.get_value(slot::kCollapse)); }
};

// Thrown by Deadline out of a match that ran past its search's budget.
struct TimedOut {};

// The search's time budget, checked as the matcher visits documents (every
// pass of a search has one: ranking, counting, exclusions), and the
// exclusions, when there are any. Called from both of a search's threads,
// each counting its own calls: one counter both threads bumped for every
// document cost more than the clock it saves reading.
class Deadline : public Xapian::MatchDecider {
 public:
  Deadline(Clock::time_point at, const ExcludeArticles* exclude) : at_(at), exclude_(exclude) {}
  bool operator()(const Xapian::Document& doc) const override {
    thread_local std::uint32_t calls = 0;
    if ((calls++ & 63) == 0 && Clock::now() > at_) throw TimedOut{};
    return exclude_->keys.empty() || (*exclude_)(doc);
  }
  bool unbounded() const { return at_ == Clock::time_point::max(); }

 private:
  Clock::time_point at_;
  const ExcludeArticles* exclude_;
};

// Collects the collapse keys of the documents a match sees.
class KeySpy : public Xapian::MatchSpy {
 public:
  explicit KeySpy(std::unordered_set<std::string>& keys) : keys_(keys) {}
  void operator()(const Xapian::Document& doc, double) override { keys_.insert(doc.get_value(slot::kCollapse)); }

 private:
  std::unordered_set<std::string>& keys_;
};

// A request, compiled.
struct Compiled {
  std::optional<Xapian::Query> text;  // the query text across languages; none = browse
  std::map<std::string, Xapian::Query> filters;  // per facet
  std::map<std::string, std::set<std::string>> selected;  // per facet, as the facet table names them
  Xapian::Query range;  // from/to
  bool by_relevance = false;  // something in the text must match: relevance means something
  std::shared_ptr<ExcludeArticles> exclude = std::make_shared<ExcludeArticles>();
  std::shared_ptr<Deadline> deadline;  // set by compile_request

  Xapian::Query without(const std::string& facet) const {
    std::vector<Xapian::Query> parts;
    for (const auto& [name, q] : filters)
      if (name != facet) parts.push_back(q);
    parts.push_back(range);
    Xapian::Query f = and_queries(parts);
    Xapian::Query t = text ? *text : match_all();
    if (text && text->empty()) return Xapian::Query();  // nothing can match
    return f.empty() ? t : Xapian::Query(Xapian::Query::OP_FILTER, t, f);
  }
  Xapian::Query all() const { return without(""); }
  const Xapian::MatchDecider* decider() const {
    return exclude->keys.empty() && deadline->unbounded() ? nullptr : deadline.get();
  }
};

}  // namespace defter::indexer::detail
