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

// Timed passes over the whole query list, after one to warm up. Each
// query's latency is the median of its passes: on a shared machine a query
// that another tenant slowed once is not a slow query. The reference and
// defter are measured the same way.
inline constexpr int kTimedPasses = 3;

// passes[p][q]: query q's latency in pass p. Returns each query's median.
inline std::vector<double> median_per_query(const std::vector<std::vector<double>>& passes) {
  std::vector<double> out;
  if (passes.empty()) return out;
  for (std::size_t q = 0; q < passes[0].size(); ++q) {
    std::vector<double> v;
    for (const auto& p : passes) v.push_back(p[q]);
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    out.push_back(v[v.size() / 2]);
  }
  return out;
}

// Times every query once to warm up, then kTimedPasses times; returns each
// query's median. time_one(query) returns its milliseconds.
template <class Query, class TimeOne>
std::vector<double> time_queries(const std::vector<Query>& queries, TimeOne time_one) {
  for (const auto& q : queries) time_one(q);
  std::vector<std::vector<double>> passes(kTimedPasses);
  for (auto& pass : passes)
    for (const auto& q : queries) pass.push_back(time_one(q));
  return median_per_query(passes);
}

}  // namespace defter::bench
