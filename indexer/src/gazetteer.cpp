#include "defter/indexer/gazetteer.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "gazetteer_data.hpp"

namespace defter::indexer {
namespace {

struct Name {
  std::vector<Word> words;  // as the language's Analyzer gives them
  std::string code;
};

// The names of one language, indexed by the stem and the folded form of
// their first word; CJK names as plain strings.
struct Matcher {
  std::vector<Name> names;
  std::unordered_multimap<std::string, std::size_t> by_first;
  std::vector<std::pair<std::string, std::string>> cjk;  // (name, code)
};

std::string primary(std::string_view lang) { return std::string(lang.substr(0, lang.find('-'))); }

std::pair<const detail::GazetteerRow*, const detail::GazetteerRow*> rows_of(const std::string& lang) {
  const auto* begin = detail::kGazetteer;
  const auto* end = detail::kGazetteer + detail::kGazetteerRows;
  auto lo = std::lower_bound(begin, end, lang, [](const detail::GazetteerRow& r, const std::string& l) { return r.lang < l; });
  auto hi = std::upper_bound(lo, end, lang, [](const std::string& l, const detail::GazetteerRow& r) { return l < r.lang; });
  return {lo, hi};
}

class Tables {
 public:
  const Matcher& matcher(const std::string& lang) {
    std::lock_guard lock(mutex_);
    auto& slot = matchers_[lang];
    if (!slot) {
      slot = std::make_unique<Matcher>();
      Analyzer analyzer(lang);
      auto [lo, hi] = rows_of(lang);
      for (const auto* r = lo; r != hi; ++r) {
        auto words = analyzer.analyze(r->name);
        if (words.empty()) continue;
        if (words.size() == 1 && words[0].cjk) {
          slot->cjk.emplace_back(words[0].term, r->code);
          continue;
        }
        // Names that are all single letters ("A.B.D.") would match initials anywhere.
        if (std::all_of(words.begin(), words.end(), [](const Word& w) { return w.term.size() <= 1; })) continue;
        std::size_t index = slot->names.size();
        slot->names.push_back({words, r->code});
        slot->by_first.emplace(words[0].term, index);
        if (!words[0].stem.empty() && words[0].stem != words[0].term) slot->by_first.emplace("\x01" + words[0].stem, index);
      }
    }
    return *slot;
  }

  // Every name folded, sorted, with its row: for completion by prefix.
  const std::vector<std::pair<std::string, std::size_t>>& sorted_names() {
    std::lock_guard lock(mutex_);
    if (sorted_.empty()) {
      sorted_.reserve(detail::kGazetteerRows);
      for (std::size_t i = 0; i < detail::kGazetteerRows; ++i) sorted_.emplace_back(fold(detail::kGazetteer[i].name), i);
      std::sort(sorted_.begin(), sorted_.end());
    }
    return sorted_;
  }

  const std::unordered_map<std::string, std::set<std::string>>& folded_names() {
    std::lock_guard lock(mutex_);
    if (folded_.empty()) {
      for (std::size_t i = 0; i < detail::kGazetteerRows; ++i)
        folded_[fold(detail::kGazetteer[i].name)].insert(detail::kGazetteer[i].code);
    }
    return folded_;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Matcher>> matchers_;
  std::unordered_map<std::string, std::set<std::string>> folded_;
  std::vector<std::pair<std::string, std::size_t>> sorted_;
};

Tables& tables() {
  static Tables t;
  return t;
}

bool word_matches(const Word& name, const Word& text, bool by_stem) {
  if (name.term == text.term) return true;
  return by_stem && !name.stem.empty() && (name.stem == text.stem || name.stem == text.stem_alt);
}

void match(const Matcher& m, const std::vector<Word>& words, bool by_stem, std::set<std::string>& out) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i].cjk) {
      for (const auto& [name, code] : m.cjk)
        if (words[i].term.find(name) != std::string::npos) out.insert(code);
      continue;
    }
    auto check = [&](const std::string& key) {
      auto [lo, hi] = m.by_first.equal_range(key);
      for (auto it = lo; it != hi; ++it) {
        const Name& n = m.names[it->second];
        if (i + n.words.size() > words.size()) continue;
        bool all = true;
        for (std::size_t k = 0; k < n.words.size() && all; ++k) all = word_matches(n.words[k], words[i + k], by_stem);
        if (all) out.insert(n.code);
      }
    };
    check(words[i].term);
    if (by_stem && !words[i].stem.empty()) check("\x01" + words[i].stem);
  }
}

}  // namespace

const Gazetteer& Gazetteer::instance() {
  static Gazetteer g;
  return g;
}

std::set<std::string> Gazetteer::find(const std::vector<Word>& words, std::string_view lang) const {
  std::set<std::string> out;
  std::string p = primary(lang);
  match(tables().matcher(p), words, true, out);
  if (p != "en") match(tables().matcher("en"), words, false, out);
  return out;
}

std::string Gazetteer::label(std::string_view code, std::string_view ui_lang) const {
  for (const std::string& lang : {primary(ui_lang), std::string("en")}) {
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
  if (it == folded.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<std::string> Gazetteer::names(std::string_view code, std::string_view lang) const {
  std::vector<std::string> out;
  auto [lo, hi] = rows_of(primary(lang));
  for (const auto* r = lo; r != hi; ++r)
    if (code == r->code) out.emplace_back(r->name);
  return out;
}

std::vector<Gazetteer::Completion> Gazetteer::complete(std::string_view prefix, std::size_t limit) const {
  std::vector<Completion> out;
  std::string key = fold(prefix);
  if (key.empty()) return out;
  const auto& names = tables().sorted_names();
  std::set<std::string> codes;
  for (auto it = std::lower_bound(names.begin(), names.end(), std::make_pair(key, std::size_t{0}));
       it != names.end() && it->first.compare(0, key.size(), key) == 0 && out.size() < limit; ++it) {
    const auto& row = detail::kGazetteer[it->second];
    if (codes.insert(row.code).second) out.push_back({row.name, row.code, row.lang});
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
