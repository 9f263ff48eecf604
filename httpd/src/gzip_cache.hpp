// Compressed responses kept by their content's ETag, shared by the server's
// threads (internal to httpd/): an article is compressed once per version,
// not once per request.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace defter::httpd::detail {

// A bounded map from a response's ETag (a hash of its body, so a changed
// record has another) to its gzip. Split into shards with a lock each, so
// the threads seldom wait on one another; a full shard drops entries from
// the front of its table (in no particular order) until the new one fits.
// Thread-safe.
class GzipCache {
 public:
  explicit GzipCache(std::size_t max_bytes) : shard_bytes_(max_bytes / kShards) {}

  // The gzip of the body whose ETag is `etag`, compressing it with `make`
  // (outside the lock) when it is not kept; nullopt when `make` fails.
  std::optional<std::shared_ptr<const std::string>> get(
      const std::string& etag, const std::function<std::optional<std::string>()>& make) {
    Shard& s = shards_[std::hash<std::string>{}(etag) % kShards];
    {
      std::lock_guard lock(s.mutex);
      if (auto it = s.entries.find(etag); it != s.entries.end()) {
        ++s.hits;
        return it->second;
      }
    }
    auto made = make();
    if (!made) return std::nullopt;
    auto kept = std::make_shared<const std::string>(std::move(*made));
    if (kept->size() > shard_bytes_) return kept;  // too large to keep
    std::lock_guard lock(s.mutex);
    ++s.misses;
    if (s.entries.count(etag)) return kept;  // another thread made it meanwhile
    while (s.bytes + kept->size() > shard_bytes_ && !s.entries.empty()) {
      s.bytes -= s.entries.begin()->second->size();
      s.entries.erase(s.entries.begin());
    }
    s.bytes += kept->size();
    s.entries.emplace(etag, kept);
    return kept;
  }

  // Bytes kept, hits and misses so far (for /metrics and the tests).
  struct Figures {
    std::size_t bytes = 0, entries = 0, hits = 0, misses = 0;
  };
  Figures figures() {
    Figures f;
    for (auto& s : shards_) {
      std::lock_guard lock(s.mutex);
      f.bytes += s.bytes;
      f.entries += s.entries.size();
      f.hits += s.hits;
      f.misses += s.misses;
    }
    return f;
  }

 private:
  static constexpr std::size_t kShards = 16;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<const std::string>> entries;
    std::size_t bytes = 0, hits = 0, misses = 0;
  };
  std::size_t shard_bytes_;
  std::array<Shard, kShards> shards_;
};

}  // namespace defter::httpd::detail
