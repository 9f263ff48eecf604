// Latency summaries for the search benchmark and its reference.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace defter::bench {

struct Latency {
  double median = 0, p99 = 0, max = 0;
};

// Nearest-rank percentiles of the samples (milliseconds).
inline Latency summarize(std::vector<double> ms) {
  Latency l;
  if (ms.empty()) return l;
  std::sort(ms.begin(), ms.end());
  auto rank = [&](double p) {
    auto i = static_cast<std::size_t>(std::ceil(p * static_cast<double>(ms.size())));
    return ms[std::min(ms.size() - 1, i == 0 ? 0 : i - 1)];
  };
  l.median = rank(0.5);
  l.p99 = rank(0.99);
  l.max = ms.back();
  return l;
}

}  // namespace defter::bench
