// A search's counting passes and snippets, shared by two threads
// (internal to indexer/).
#pragma once

#include <xapian.h>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "facets.hpp"
#include "query_parts.hpp"

namespace defter::indexer::detail {

// One counting pass: the matches of a query, seen by a FacetSpy.
struct CountTask {
  std::string facet;  // the facet counted as if its filter were absent; "" for the pass with the total
  Xapian::Query query;
  std::unique_ptr<FacetSpy> spy;
  Xapian::doccount estimated = 0;
  // When one facet has a selection, the pass with the total rides along
  // on that facet's pass (spy feeds plain, FacetSpy::feed), and runs on
  // its own with plain_query only when that pass stopped at the check
  // limit (then what it fed is incomplete).
  std::unique_ptr<FacetSpy> plain;
  Xapian::Query plain_query;
  Xapian::doccount plain_estimated = 0;
};

// The work of one search that two threads share: the counting passes,
// then the snippets of the page. A second thread starts on the counts with
// its own reader while the caller ranks the page; once the caller publishes
// the page, each thread takes the next snippet not taken, then the next
// count. Xapian objects must not be shared between threads (a Query's
// reference counts are not atomic, a posting source keeps its place), so
// each pass gets a query compiled for it alone.
class SharedWork {
 public:
  // Makes snippet i; `helper` says which thread asks (each has its own
  // analyzers and archive snapshot).
  using Snippet = std::function<void(std::size_t i, bool helper)>;

  // Each task's query must share no Xapian object with another's.
  SharedWork(std::vector<CountTask>& tasks, Xapian::doccount check, const Xapian::MatchDecider* decider)
      : tasks_(tasks), check_(check), decider_(decider) {}
  SharedWork(const SharedWork&) = delete;
  SharedWork& operator=(const SharedWork&) = delete;
  ~SharedWork() {
    publish(0, nullptr);  // when the caller stopped early: nothing more for the helper to wait for
    if (helper_.joinable()) helper_.join();
  }

  void start(Xapian::Database& reader) {
    helper_ = std::thread([this, &reader] {
      count(reader, helper_error_);
      std::unique_lock lock(mutex_);
      published_cv_.wait(lock, [this] { return published_; });
      lock.unlock();
      snippets(true, helper_error_);
    });
  }

  // The page is ranked: n snippets to make with fn.
  void publish(std::size_t n, Snippet fn) {
    std::lock_guard lock(mutex_);
    if (published_) return;
    snippet_count_ = n;
    snippet_ = std::move(fn);
    published_ = true;
    published_cv_.notify_all();
  }

  // Makes the snippets left, counts what is left with `reader`, waits for
  // the other thread, and rethrows what either met.
  void finish(Xapian::Database& reader) {
    std::exception_ptr mine;
    snippets(false, mine);
    count(reader, mine);
    if (helper_.joinable()) helper_.join();
    if (helper_error_) std::rethrow_exception(helper_error_);
    if (mine) std::rethrow_exception(mine);
  }

  // When the last count and the last snippet were done (both threads
  // finished): for the response's timings.
  Clock::time_point counts_done() const { return counts_done_; }
  Clock::time_point snippets_done() const { return snippets_done_; }

 private:
  void done(Clock::time_point& last) {
    auto now = Clock::now();
    std::lock_guard lock(mutex_);
    last = std::max(last, now);
  }

  void count(Xapian::Database& reader, std::exception_ptr& error) {
    if (error) return;
    try {
      for (std::size_t i; (i = next_count_++) < tasks_.size();) {
        CountTask& t = tasks_[i];
        Xapian::Enquire e(reader);
        e.set_weighting_scheme(Xapian::BoolWeight());
        e.set_query(t.query);
        e.add_matchspy(t.spy.get());
        t.estimated = e.get_mset(0, 0, check_, nullptr, decider_).get_matches_estimated();
        if (t.plain && t.spy->docs() < check_) {
          t.plain_estimated = static_cast<Xapian::doccount>(t.plain->docs());
        } else if (t.plain) {
          t.plain->clear();
          Xapian::Enquire p(reader);
          p.set_weighting_scheme(Xapian::BoolWeight());
          p.set_query(t.plain_query);
          p.add_matchspy(t.plain.get());
          t.plain_estimated = p.get_mset(0, 0, check_, nullptr, decider_).get_matches_estimated();
        }
        done(counts_done_);
      }
    } catch (...) {
      error = std::current_exception();
      next_count_ = tasks_.size();  // the search will be tried again: stop the other thread soon
    }
  }

  void snippets(bool helper, std::exception_ptr& error) {
    if (error) return;
    try {
      for (std::size_t i; (i = next_snippet_++) < snippet_count_;) {
        snippet_(i, helper);
        done(snippets_done_);
      }
    } catch (...) {
      error = std::current_exception();
      next_snippet_ = snippet_count_;
    }
  }

  std::vector<CountTask>& tasks_;
  Xapian::doccount check_;
  const Xapian::MatchDecider* decider_;
  std::atomic<std::size_t> next_count_{0}, next_snippet_{0};
  std::mutex mutex_;
  std::condition_variable published_cv_;
  bool published_ = false;
  std::size_t snippet_count_ = 0;  // set before published_, read after
  Snippet snippet_;
  Clock::time_point counts_done_{}, snippets_done_{};
  std::exception_ptr helper_error_;
  std::thread helper_;
};

}  // namespace defter::indexer::detail
