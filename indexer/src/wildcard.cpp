#include "wildcard.hpp"

#include <algorithm>

namespace defter::indexer::detail {

std::shared_ptr<const PrefixMatches> expand_prefix(const Xapian::Database& db, const std::string& prefix) {
  std::vector<std::pair<Xapian::doccount, std::string>> terms;
  for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) terms.emplace_back(t.get_termfreq(), *t);
  auto by_frequency = [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; };
  if (terms.size() > kMaxExpansion) {
    std::partial_sort(terms.begin(), terms.begin() + kMaxExpansion, terms.end(), by_frequency);
    terms.resize(kMaxExpansion);
  }
  auto m = std::make_shared<PrefixMatches>();
  if (terms.empty()) return m;
  std::vector<Xapian::termcount> sum(static_cast<std::size_t>(db.get_lastdocid()) + 1, 0);
  for (const auto& [freq, t] : terms)
    for (auto p = db.postlist_begin(t); p != db.postlist_end(t); ++p)
      if (*p < sum.size()) sum[*p] += std::max<Xapian::termcount>(1, p.get_wdf());
  for (std::size_t d = 0; d < sum.size(); ++d)
    if (sum[d]) {
      m->docs.push_back(static_cast<Xapian::docid>(d));
      m->wdf.push_back(sum[d]);
    }
  return m;
}

}  // namespace defter::indexer::detail
