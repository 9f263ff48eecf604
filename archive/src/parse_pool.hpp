// The import's parse threads (internal to archive/).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace defter::archive::import_parts {

// Parse threads that live as long as the import. (Threads started per batch
// would each get a fresh malloc arena and make the import's memory creep.)
class ParsePool {
 public:
  using Work = std::function<void(std::size_t slice, std::size_t begin, std::size_t end)>;

  ParsePool(std::size_t threads, Work work) : work_(std::move(work)) {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this, i] { loop(i); });
  }
  ~ParsePool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }

  // Splits [0, count) among the threads and starts them; returns at once.
  void start(std::size_t count) {
    std::lock_guard lock(mutex_);
    count_ = count;
    remaining_ = threads_.size();
    ++generation_;
    wake_.notify_all();
  }

  void wait() {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return remaining_ == 0; });
  }

 private:
  void loop(std::size_t slice) {
    std::uint64_t seen = 0;
    for (;;) {
      std::size_t count;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        count = count_;
      }
      std::size_t per = (count + threads_.size() - 1) / threads_.size();
      std::size_t begin = std::min(count, slice * per), end = std::min(count, begin + per);
      if (begin < end) work_(slice, begin, end);
      {
        std::lock_guard lock(mutex_);
        if (--remaining_ == 0) done_.notify_all();
      }
    }
  }

  Work work_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::uint64_t generation_ = 0;
  std::size_t count_ = 0, remaining_ = 0;
  bool stop_ = false;
};

}  // namespace defter::archive::import_parts
