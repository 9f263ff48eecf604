// defter-bench-gen: a deterministic generator of a realistic multilingual
// corpus for benchmarks and large tests.
//
//   defter-bench-gen --records N [--seed S] [--words W] [--prefix P] [--out FILE]
//
// Writes N JSON Lines records: authors first (one per 40 records), then
// articles in English, Turkish, Russian and Chinese with zero to two
// translations each (every tenth translation arrives as a separate
// translation record), ~W words per text (default 1,500) drawn from a
// Zipf-distributed vocabulary per language, CommonMark headings, quotes,
// footnote markers and structured footnotes, partial and full dates.
// Ids start with P- when --prefix is given, so corpora can be imported side
// by side. The same arguments always give the same bytes.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rng.hpp"

namespace {

using defter::bench::Rng;

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) out += static_cast<char>(c);
  else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

struct Language {
  std::string tag;
  std::vector<std::string> onsets, vowels, codas;  // syllable parts (empty for CJK)
  bool cjk = false;
};

std::vector<std::string> split(const char* s) {
  std::vector<std::string> out;
  std::string cur;
  for (const char* p = s; *p; ++p) {
    if (*p == ' ') {
      if (!cur.empty()) out.push_back(cur), cur.clear();
    } else {
      cur += *p;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::vector<Language> languages() {
  return {
      {"en", split("b c d f g h k l m n p r s t v w st tr pr ch th sh gr pl"), split("a e i o u ea ou io"),
       split(" n r s t l nd st ng rt")},
      {"tr", split("b c ç d f g h k l m n p r s ş t v y z"), split("a e ı i o ö u ü"),
       split(" n r l k m ş t y z")},
      {"ru", split("б в г д ж з к л м н п р с т х ч ш ст пр кр"), split("а е и о у ы я ю ё"),
       split(" н р л к м с т й в")},
      {"zh", {}, {}, {}, true},
  };
}

// A vocabulary with Zipf-distributed frequencies (s = 1.05).
class Vocabulary {
 public:
  Vocabulary(const Language& lang, Rng& rng, std::size_t size) {
    words_.reserve(size);
    for (std::size_t i = 0; i < size; ++i) words_.push_back(make_word(lang, rng, i));
    double total = 0;
    cdf_.reserve(size);
    for (std::size_t i = 0; i < size; ++i) cdf_.push_back(total += 1.0 / std::pow(static_cast<double>(i + 1), 1.05));
    for (auto& c : cdf_) c /= total;
  }
  const std::string& draw(Rng& rng) const {
    double u = rng.unit();
    std::size_t lo = 0, hi = cdf_.size() - 1;
    while (lo < hi) {
      std::size_t mid = (lo + hi) / 2;
      if (cdf_[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return words_[lo];
  }

 private:
  static std::string make_word(const Language& lang, Rng& rng, std::size_t rank) {
    std::string w;
    if (lang.cjk) {
      int chars = rank < 200 ? 1 : rng.between(1, 3);
      for (int i = 0; i < chars; ++i) append_utf8(w, static_cast<char32_t>(0x4E00 + rng.below(3500)));
      return w;
    }
    int syllables = rank < 100 ? rng.between(1, 2) : rng.between(2, 4);
    for (int i = 0; i < syllables; ++i) {
      w += lang.onsets[rng.below(lang.onsets.size())];
      w += lang.vowels[rng.below(lang.vowels.size())];
      if (rng.below(3) == 0) w += lang.codas[rng.below(lang.codas.size())];
    }
    return w;
  }

  std::vector<std::string> words_;
  std::vector<double> cdf_;
};

const char* const kCountries[] = {"CN", "KZ", "KG", "UZ", "TJ", "TM", "RU", "TR", "US", "DE",
                                  "FR", "IR", "AF", "IN", "JP", "AZ", "GE", "UA", "PK", "MN"};

class Generator {
 public:
  Generator(std::uint64_t seed, int words, std::string prefix)
      : rng_(seed), words_(words), prefix_(prefix.empty() ? "" : prefix + "-"), langs_(languages()) {
    for (const auto& l : langs_) vocab_.emplace_back(l, rng_, 30000);
  }

  std::string sentence(std::size_t lang, int n) {
    std::string s;
    bool cjk = langs_[lang].cjk;
    for (int i = 0; i < n; ++i) {
      if (i && !cjk) s += ' ';
      s += vocab_[lang].draw(rng_);
    }
    if (!cjk && !s.empty() && static_cast<unsigned char>(s[0]) < 0x80) s[0] = static_cast<char>(std::toupper(s[0]));
    return s;
  }

  std::string title(std::size_t lang) { return sentence(lang, rng_.between(4, 10)); }

  // A CommonMark body of about `words_` words with footnote markers 1..notes.
  std::string body(std::size_t lang, int notes) {
    bool cjk = langs_[lang].cjk;
    int target = std::max(50, words_ / 2 + static_cast<int>(rng_.below(static_cast<std::uint64_t>(words_))));
    std::string out;
    int written = 0, paragraph = 0, note = 1;
    while (written < target) {
      if (paragraph > 0 && paragraph % 5 == 0) out += "## " + sentence(lang, rng_.between(3, 7)) + "\n\n";
      bool quote = rng_.below(12) == 0;
      if (quote) out += "> ";
      int sentences = rng_.between(2, 6);
      for (int s = 0; s < sentences; ++s) {
        int n = rng_.between(6, 24);
        out += sentence(lang, n);
        written += n;
        if (note <= notes && rng_.below(3) == 0) out += "[" + std::to_string(note++) + "]";
        out += cjk ? "。" : ". ";
      }
      out += "\n\n";
      ++paragraph;
    }
    while (note <= notes) out += "[" + std::to_string(note++) + "]";
    return out;
  }

  std::string date(bool allow_partial) {
    int year = rng_.between(1995, 2026), month = rng_.between(1, 12), day = rng_.between(1, 28);
    char buf[16];
    std::uint64_t kind = allow_partial ? rng_.below(10) : 9;
    if (kind == 0) std::snprintf(buf, sizeof buf, "%04d", year);
    else if (kind < 3) std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
    else std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return buf;
  }

  nlohmann::json translation(std::size_t lang) {
    int notes = rng_.between(3, 12);
    nlohmann::json t = {{"title", title(lang)}, {"body", body(lang, notes)}};
    if (rng_.below(4) == 0) t["subtitle"] = sentence(lang, rng_.between(5, 12));
    nlohmann::json footnotes = nlohmann::json::array();
    for (int n = 1; n <= notes; ++n) {
      std::size_t src = rng_.below(langs_.size());
      std::string source_title = title(src);
      std::string publisher = "Publisher " + std::to_string(rng_.below(60) + 1);
      std::string accessed = date(false);
      footnotes.push_back({{"n", n},
                           {"text", "“" + source_title + "”, " + publisher + ", (" + accessed + ")."},
                           {"title", source_title},
                           {"publisher", publisher},
                           {"accessed", accessed}});
    }
    t["footnotes"] = footnotes;
    return t;
  }

  void run(std::uint64_t records, std::ostream& out) {
    std::uint64_t authors = std::max<std::uint64_t>(1, records / 40);
    for (std::uint64_t i = 0; i < authors && i < records; ++i) {
      std::size_t lang = rng_.below(langs_.size());
      nlohmann::json a = {{"type", "author"},
                          {"id", prefix_ + "author-" + std::to_string(i)},
                          {"name", sentence(0, 2)},
                          {"topics", {sentence(0, 2), sentence(0, 3)}},
                          {"bio", {{langs_[lang].tag, sentence(lang, rng_.between(40, 120))}}}};
      out << a.dump() << '\n';
    }
    std::uint64_t written = std::min(authors, records), article = 0;
    while (written < records) {
      std::size_t original = rng_.below(langs_.size());
      std::string id = prefix_ + "article-" + std::to_string(article++);
      nlohmann::json a = {{"type", "article"},
                          {"id", id},
                          {"published", date(true)},
                          {"authors", {prefix_ + "author-" + std::to_string(rng_.below(authors))}},
                          {"original_language", langs_[original].tag}};
      nlohmann::json countries = nlohmann::json::array();
      for (std::uint64_t c = rng_.below(4), k = 0; k < c; ++k) {
        std::string code = kCountries[rng_.below(std::size(kCountries))];
        if (std::find(countries.begin(), countries.end(), code) == countries.end()) countries.push_back(code);
      }
      if (!countries.empty()) a["countries"] = countries;
      a["tags"] = {sentence(0, 1) + " " + std::to_string(rng_.below(50))};
      a["translations"] = {{langs_[original].tag, translation(original)}};
      std::vector<nlohmann::json> separate;
      for (std::uint64_t k = 0, extra = rng_.below(3); k < extra; ++k) {
        std::size_t lang = (original + 1 + k) % langs_.size();
        if (rng_.below(10) == 0) {
          nlohmann::json t = translation(lang);
          t["type"] = "translation";
          t["article"] = id;
          t["lang"] = langs_[lang].tag;
          separate.push_back(std::move(t));
        } else {
          a["translations"][langs_[lang].tag] = translation(lang);
        }
      }
      out << a.dump() << '\n';
      ++written;
      for (auto& t : separate) {
        if (written >= records) break;
        out << t.dump() << '\n';
        ++written;
      }
    }
  }

 private:
  Rng rng_;
  int words_;
  std::string prefix_;
  std::vector<Language> langs_;
  std::vector<Vocabulary> vocab_;
};

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t records = 1000, seed = 42;
  int words = 1500;
  std::string out_path, prefix;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "defter-bench-gen: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--records") records = std::stoull(value());
    else if (arg == "--seed") seed = std::stoull(value());
    else if (arg == "--words") words = std::stoi(value());
    else if (arg == "--out") out_path = value();
    else if (arg == "--prefix") prefix = value();
    else {
      std::cerr << "usage: defter-bench-gen --records N [--seed S] [--words W] [--prefix P] [--out FILE]\n";
      return 2;
    }
  }
  std::ofstream file;
  if (!out_path.empty()) {
    file.open(out_path, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "defter-bench-gen: cannot write " << out_path << "\n";
      return 1;
    }
  }
  std::ostream& out = out_path.empty() ? std::cout : file;
  std::ios::sync_with_stdio(false);
  Generator(seed, words, prefix).run(records, out);
  out.flush();
  return out ? 0 : 1;
}
