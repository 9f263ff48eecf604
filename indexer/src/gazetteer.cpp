#include "defter/indexer/gazetteer.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "gazetteer_rows.hpp"

namespace defter::indexer {
namespace {

using detail::primary_subtag;
using detail::rows_of;

// Every name folded, and its Latin transliteration folded: for lookup and
// completion.
class Tables {
 public:
  // (folded name or transliteration, row), sorted: for completion by prefix.
  const std::vector<std::pair<std::string, std::size_t>>& sorted_names() {
    std::call_once(once_, [this] { fill(); });
    return sorted_;
  }
  const std::unordered_map<std::string, std::set<std::string>>& folded_names() {
    std::call_once(once_, [this] { fill(); });
    return folded_;
  }

 private:
  void fill() {
    sorted_.reserve(2 * detail::kGazetteerRows);
    for (std::size_t i = 0; i < detail::kGazetteerRows; ++i) {
      const auto& row = detail::kGazetteer[i];
      std::string folded = fold(row.name), latin = row.latin;
      sorted_.emplace_back(folded, i);
      folded_[folded].insert(row.code);
      if (!latin.empty() && latin != folded) {
        sorted_.emplace_back(latin, i);
        folded_[latin].insert(row.code);
      }
    }
    std::sort(sorted_.begin(), sorted_.end());
  }

  std::once_flag once_;
  std::unordered_map<std::string, std::set<std::string>> folded_;
  std::vector<std::pair<std::string, std::size_t>> sorted_;
};

Tables& tables() {
  static Tables t;
  return t;
}

}  // namespace

const Gazetteer& Gazetteer::instance() {
  static Gazetteer g;
  return g;
}

std::string Gazetteer::label(std::string_view code, std::string_view ui_lang) const {
  for (const std::string& lang : {primary_subtag(ui_lang), std::string("en")}) {
    auto [lo, hi] = rows_of(lang);
    for (const auto* r = lo; r != hi; ++r)
      if (r->label && code == r->code) return r->name;
  }
  return std::string(code);
}

std::vector<std::string> Gazetteer::lookup(std::string_view name) const {
  std::string upper(name);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.size() == 2 && std::isalpha(static_cast<unsigned char>(upper[0])) && std::isalpha(static_cast<unsigned char>(upper[1]))) {
    auto [lo, hi] = rows_of("en");
    for (const auto* r = lo; r != hi; ++r)
      if (upper == r->code) return {upper};
  }
  const auto& folded = tables().folded_names();
  auto it = folded.find(fold(name));
  if (it == folded.end()) it = folded.find(latin_folded(name));
  if (it == folded.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<std::string> Gazetteer::names(std::string_view code, std::string_view lang) const {
  std::vector<std::string> out;
  auto [lo, hi] = rows_of(primary_subtag(lang));
  for (const auto* r = lo; r != hi; ++r)
    if (code == r->code) out.emplace_back(r->name);
  return out;
}

std::vector<Gazetteer::Completion> Gazetteer::complete(std::string_view prefix, std::size_t limit, std::string_view ui_lang) const {
  std::vector<Completion> out;
  std::string key = fold(prefix);
  if (key.empty()) return out;
  const auto& sorted = tables().sorted_names();
  const std::string ui = primary_subtag(ui_lang);
  auto [ui_lo, ui_hi] = rows_of(ui);
  std::set<std::string> codes;
  for (auto it = std::lower_bound(sorted.begin(), sorted.end(), std::make_pair(key, std::size_t{0}));
       it != sorted.end() && it->first.compare(0, key.size(), key) == 0 && out.size() < limit; ++it) {
    const auto& row = detail::kGazetteer[it->second];
    if (!codes.insert(row.code).second) continue;
    bool own = std::any_of(ui_lo, ui_hi, [&](const detail::GazetteerRow& r) { return r.label && row.code == std::string_view(r.code); });
    out.push_back({label(row.code, ui), row.code, own ? ui : std::string("en")});
  }
  return out;
}

std::size_t Gazetteer::names() const { return detail::kGazetteerRows; }

std::size_t Gazetteer::languages() const {
  std::set<std::string> langs;
  for (std::size_t i = 0; i < detail::kGazetteerRows; ++i) langs.insert(detail::kGazetteer[i].lang);
  return langs.size();
}

}  // namespace defter::indexer
