#include "defter/indexer/live_index.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace defter::indexer {

using Clock = std::chrono::steady_clock;
using Records = std::vector<std::pair<schema::RecordType, std::string>>;

struct LiveIndexer::Impl {
  archive::Archive& archive;
  IndexOptions options;
  std::function<void(const std::string&)> on_error;
  std::mutex mutex;
  std::condition_variable cv;
  bool wanted = true, stopping = false;
  Records urgent;  // written by this process, not yet indexed
  std::uint64_t indexed_seq = 0;  // the thread's own
  // Records a piece of draining rebuilds: sized as it goes so that a piece
  // takes about a tenth of a second, the most an urgent record waits for one.
  std::size_t piece = 32;
  std::thread thread;

  Impl(archive::Archive& a, IndexOptions o, std::function<void(const std::string&)> e)
      : archive(a), options(std::move(o)), on_error(std::move(e)) {}

  Records take_urgent() {
    std::lock_guard lock(mutex);
    return std::exchange(urgent, {});
  }

  // One turn with the index's write lock: urgent records, then the log in
  // pieces, until it is empty or a second has passed. "" or why it stopped.
  std::string index_turn(bool& more) {
    auto writer = IndexWriter::open(options);
    if (!writer) {
      // Locked: its holder indexes what is there (index.hpp, catch_up).
      if (writer.status().code() == Code::kLocked) return "";
      return "cannot open the index for writing: " + writer.status().message();
    }
    auto held = Clock::now();
    for (;;) {
      if (auto records = take_urgent(); !records.empty())
        if (auto r = (*writer)->index_records(archive, records); !r)
          return "indexing written records stopped: " + r.status().message();
      auto started = Clock::now();
      std::size_t want = piece;
      auto drained = (*writer)->drain(archive, {}, want);
      if (!drained) return "indexing stopped: " + drained.status().message();
      indexed_seq = drained->last_seq;
      if (drained->units == want) {
        auto took = Clock::now() - started;
        // Not below 16: each piece commits, and rescans what is left of the log.
        if (took > std::chrono::milliseconds(200)) piece = std::max<std::size_t>(16, want / 2);
        else if (took < std::chrono::milliseconds(50)) piece = std::min<std::size_t>(1024, want * 2);
      }
      std::lock_guard lock(mutex);
      bool done = drained->units < want && urgent.empty();
      if (stopping || done) return "";
      // Lets go of the index at least once a second, so that another
      // writer waiting for it (defter backup, reindex) gets its turn.
      if (Clock::now() - held > std::chrono::seconds(1)) {
        more = true;  // open it again at once
        return "";
      }
    }
  }

  void run() {
    std::string last_error;
    std::unique_lock lock(mutex);
    while (!stopping) {
      cv.wait_for(lock, std::chrono::milliseconds(250), [this] { return wanted || stopping; });
      if (stopping) break;
      wanted = false;
      bool pending = !urgent.empty();
      lock.unlock();
      std::uint64_t archive_seq = 0;
      if (auto snap = archive.snapshot(); snap.ok()) archive_seq = snap->last_seq();
      std::string error;
      bool more = false;
      if (pending || archive_seq > indexed_seq) error = index_turn(more);
      if (!error.empty() && error != last_error && on_error) on_error(error);
      last_error = error;
      lock.lock();
      if (more) wanted = true;
    }
  }
};

LiveIndexer::LiveIndexer(archive::Archive& archive, IndexOptions options, std::function<void(const std::string&)> on_error)
    : impl_(std::make_unique<Impl>(archive, std::move(options), std::move(on_error))) {
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

LiveIndexer::~LiveIndexer() { stop(); }

void LiveIndexer::index_first(const Records& records) {
  std::lock_guard lock(impl_->mutex);
  impl_->urgent.insert(impl_->urgent.end(), records.begin(), records.end());
  impl_->wanted = true;
  impl_->cv.notify_one();
}

void LiveIndexer::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    impl_->cv.notify_one();
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace defter::indexer
