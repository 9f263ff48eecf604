// What the server's parts share (internal to httpd/): the thread's API
// worker, gzip, log-safe text, metrics and the rate limiter.
#pragma once

#include "defter/httpd/server.hpp"

#include <zlib.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "defter/indexer/data_dir.hpp"
#include "gzip_cache.hpp"
#include "defter/indexer/index.hpp"
#include "defter/indexer/live_index.hpp"
#include "defter/schema/text.hpp"

namespace defter::httpd::detail {


namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Each server thread's API state (its Xapian readers).
inline thread_local ApiWorker* tls_worker = nullptr;

// gzip of body (zlib's deflate with a gzip wrapper); nullopt on failure.
// Level 1: on the archive's text it compresses several times as fast as
// zlib's default for a slightly larger result, and a response is compressed
// on every request. Each thread keeps its deflate state (some 260 KiB that
// zlib would otherwise allocate and clear per response).
inline std::optional<std::string> gzip(const std::string& body) {
  struct Deflater {
    z_stream z{};
    bool ok = deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    ~Deflater() {
      if (ok) deflateEnd(&z);
    }
  };
  thread_local Deflater d;
  if (!d.ok || deflateReset(&d.z) != Z_OK) return std::nullopt;
  std::string out(deflateBound(&d.z, static_cast<uLong>(body.size())), '\0');
  d.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  d.z.avail_in = static_cast<uInt>(body.size());
  d.z.next_out = reinterpret_cast<Bytef*>(out.data());
  d.z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&d.z, Z_FINISH);
  out.resize(d.z.total_out);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

// Whether an Accept-Encoding header accepts gzip (not with q=0).
inline bool accepts_gzip(std::string_view header) {
  std::size_t p = 0;
  while (p < header.size()) {
    std::size_t comma = header.find(',', p);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view item = header.substr(p, comma - p);
    p = comma + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    std::size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding != "gzip" && coding != "*") continue;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      std::size_t q = params.find("q=");
      if (q != std::string_view::npos) {
        double v = std::atof(std::string(params.substr(q + 2)).c_str());
        if (v <= 0) continue;
      }
    }
    return true;
  }
  return false;
}

// A request target as it may appear in a log line: printable ASCII only.
inline std::string printable(std::string_view s, std::size_t max = 2048) {
  std::string out;
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F || c == '"' || c == '\\') {
      static const char* hex = "0123456789ABCDEF";
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 0xF];
    } else {
      out += c;
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

// The most languages /metrics names one by one (a series each).
constexpr std::size_t kMetricLanguages = 32;

// Requests and latency per route and status, for /metrics.
class Metrics {
 public:
  static constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  static constexpr std::size_t kBucketCount = sizeof(kBuckets) / sizeof(kBuckets[0]);

  void record(const std::string& route, unsigned status, double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{route, status}];
    auto& h = latency_[route];
    if (h.buckets.empty()) h.buckets.assign(kBucketCount, 0);
    for (std::size_t i = 0; i < kBucketCount; ++i)
      if (seconds <= kBuckets[i]) ++h.buckets[i];
    ++h.count;
    h.sum += seconds;
  }

  void render(std::string& out) const {
    std::lock_guard lock(mutex_);
    out += "# HELP defter_http_requests_total HTTP requests answered, by route and status.\n"
           "# TYPE defter_http_requests_total counter\n";
    for (const auto& [key, n] : requests_)
      out += "defter_http_requests_total{route=\"" + key.first + "\",status=\"" + std::to_string(key.second) + "\"} " +
             std::to_string(n) + "\n";
    out += "# HELP defter_http_request_duration_seconds Time from a request's arrival to its answer, by route.\n"
           "# TYPE defter_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
      for (std::size_t i = 0; i < kBucketCount; ++i) {
        char le[32];
        std::snprintf(le, sizeof le, "%g", kBuckets[i]);
        out += "defter_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"" + le + "\"} " +
               std::to_string(h.buckets[i]) + "\n";
      }
      out += "defter_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"+Inf\"} " +
             std::to_string(h.count) + "\n";
      char sum[64];
      std::snprintf(sum, sizeof sum, "%.6f", h.sum);
      out += "defter_http_request_duration_seconds_sum{route=\"" + route + "\"} " + sum + "\n";
      out += "defter_http_request_duration_seconds_count{route=\"" + route + "\"} " + std::to_string(h.count) + "\n";
    }
  }

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

// Token buckets per client address.
class RateLimiter {
 public:
  explicit RateLimiter(double per_second) : rate_(per_second), burst_(std::max(1.0, 2 * per_second)) {}

  // True when the client may make one more request now.
  bool allow(const std::string& client) {
    if (rate_ <= 0) return true;
    auto now = Clock::now();
    std::lock_guard lock(mutex_);
    if (buckets_.size() > 100000) buckets_.clear();  // a flood of addresses: start over rather than grow
    auto [it, added] = buckets_.try_emplace(client, Bucket{burst_, now});
    Bucket& b = it->second;
    if (!added) {
      double elapsed = std::chrono::duration<double>(now - b.last).count();
      b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
      b.last = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  double rate_, burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace defter::httpd::detail
