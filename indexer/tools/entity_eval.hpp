// Scoring of the country recogniser against the labelled sentences in
// tests/data/entities (see its README.md): precision and recall per
// language and overall, counted over (line, country) pairs, and the lines
// it gets wrong. Used by tools/bench/entities (defter-entity-eval) and by
// tests/indexer/entities_test.cpp, so the figure printed is the figure
// asserted.
#pragma once

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace defter::eval {

struct Labelled {
  std::string file;
  int line = 0;
  std::string lang;
  std::set<std::string> codes;
  std::string text;
};

struct Score {
  std::size_t lines = 0, true_pos = 0, false_pos = 0, false_neg = 0;
  double precision() const { return true_pos + false_pos == 0 ? 1.0 : double(true_pos) / double(true_pos + false_pos); }
  double recall() const { return true_pos + false_neg == 0 ? 1.0 : double(true_pos) / double(true_pos + false_neg); }
};

struct Miss {
  Labelled item;
  std::set<std::string> found;
};

struct Report {
  std::map<std::string, Score> by_lang;  // primary language subtag
  Score overall;
  std::vector<Miss> wrong;
};

// Every countries-*.tsv of `dir`, in name order. Throws on a malformed line,
// naming file and line.
inline std::vector<Labelled> read_labelled(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind("countries-", 0) == 0 && e.path().extension() == ".tsv") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Labelled> out;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty() || line[0] == '#') continue;
      auto t1 = line.find('\t'), t2 = line.find('\t', t1 == std::string::npos ? t1 : t1 + 1);
      if (t1 == std::string::npos || t2 == std::string::npos)
        throw std::runtime_error(path.string() + ":" + std::to_string(n) + ": want LANG<TAB>CODES<TAB>TEXT");
      Labelled l{path.filename().string(), n, line.substr(0, t1), {}, line.substr(t2 + 1)};
      std::string codes = line.substr(t1 + 1, t2 - t1 - 1);
      if (codes != "-") {
        std::stringstream s(codes);
        std::string c;
        while (std::getline(s, c, ','))
          if (c.size() == 2) l.codes.insert(c);
          else throw std::runtime_error(path.string() + ":" + std::to_string(n) + ": bad country code '" + c + "'");
      }
      out.push_back(std::move(l));
    }
  }
  if (out.empty()) throw std::runtime_error("no labelled lines in " + dir.string());
  return out;
}

using Finder = std::function<std::set<std::string>(const std::string& text, const std::string& lang)>;

inline Report score(const std::vector<Labelled>& items, const Finder& find) {
  Report r;
  for (const auto& item : items) {
    std::set<std::string> found = find(item.text, item.lang);
    Score& s = r.by_lang[item.lang.substr(0, item.lang.find('-'))];
    ++s.lines;
    ++r.overall.lines;
    std::size_t tp = 0;
    for (const auto& c : found) tp += item.codes.count(c);
    std::size_t fp = found.size() - tp, fn = item.codes.size() - tp;
    s.true_pos += tp, s.false_pos += fp, s.false_neg += fn;
    r.overall.true_pos += tp, r.overall.false_pos += fp, r.overall.false_neg += fn;
    if (fp || fn) r.wrong.push_back({item, found});
  }
  return r;
}

inline std::string join_codes(const std::set<std::string>& codes) {
  std::string out;
  for (const auto& c : codes) out += (out.empty() ? "" : ",") + c;
  return out.empty() ? "-" : out;
}

inline std::string format(const Report& r, bool with_wrong) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(3);
  o << "language  lines  precision  recall   (tp fp fn)\n";
  auto row = [&](const std::string& name, const Score& s) {
    o << name << std::string(name.size() < 10 ? 10 - name.size() : 1, ' ') << s.lines << "\t " << s.precision() << "\t    "
      << s.recall() << "\t (" << s.true_pos << " " << s.false_pos << " " << s.false_neg << ")\n";
  };
  for (const auto& [lang, s] : r.by_lang) row(lang, s);
  row("overall", r.overall);
  if (with_wrong)
    for (const auto& m : r.wrong)
      o << m.item.file << ":" << m.item.line << "\twant " << join_codes(m.item.codes) << "\tfound " << join_codes(m.found) << "\t"
        << m.item.text << "\n";
  return o.str();
}

}  // namespace defter::eval
