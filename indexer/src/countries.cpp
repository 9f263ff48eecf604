// The country recogniser: Gazetteer::find, word_codes and common_word.
//
// A name matches by its exact written forms (name_forms.hpp), the longest
// name at a place winning (Equatorial Guinea over Guinea, 印度尼西亚 over
// 印度), and only when written with a capital (acronyms: in capitals). A
// form that is also an ordinary word of the text's language (the generated
// common-word table: Turkish mali, sudan; Russian того, перу; English
// turkey, chile) counts only with evidence that it is a name here:
//   - a suffix after an apostrophe (Mali'de, Turkey's);
//   - a capital away from a sentence start, in a sentence that is not
//     written in title case, and not opening a longer capitalised name
//     (Maliye Bakanlığı, Mali İşler Dairesi are not Mali);
//   - a neighbouring word that says "country" (Sudan Cumhuriyeti,
//     Республика Того, the government of Chad);
//   - a neighbouring country (Mali, Nijer ve Burkina Faso), or the same
//     country found with evidence elsewhere in the text.
// A name just before or after a word for a geographic feature (Lake Chad,
// the Gulf of Guinea, Gine Körfezi, 几内亚湾) names the feature.
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "defter/indexer/gazetteer.hpp"
#include "gazetteer_rows.hpp"
#include "name_forms.hpp"

namespace defter::indexer {
namespace {

using detail::primary_subtag;
using Token = CountryText::Token;

struct Name {
  std::vector<std::vector<std::string>> words;  // the folded forms of each word
  std::string code;
  bool acronym = false;  // written in capitals in the data (USA, ABD, США): only so in the text
};

// A run of CJK text names a country by a plain substring.
struct CjkName {
  std::string name;
  std::string code;
};

// The names a text in one language is read for: the language's and
// English's, with the language's rules.
struct Matcher {
  std::vector<Name> names;
  std::unordered_multimap<std::string, std::size_t> by_first;  // every form of a name's first word
  std::vector<std::string> suffixes;                            // folded, longest first
  std::unordered_set<std::string> common;                       // folded forms that are ordinary words
  std::unordered_map<std::string, std::vector<CjkName>> cjk;    // by first character, longest first
  std::unordered_set<std::string> cues, conjunctions, features_before, features_after;
};

bool all_capitals(std::string_view s) {
  int letters = 0;
  for (std::size_t i = 0; i < s.size();) {
    UChar32 c;
    U8_NEXT(s.data(), i, s.size(), c);
    if (c < 0) return false;
    if (u_islower(c)) return false;
    if (u_isupper(c)) ++letters;
  }
  return letters >= 2;
}

// Short reviewed word lists, folded: words that say a neighbouring name is
// a country's, conjunctions of a list of countries, and geographic features
// named after a country.
void add_lists(Matcher& m, const std::string& lang) {
  auto add = [](std::unordered_set<std::string>& set, std::initializer_list<const char*> words) {
    for (const char* w : words) set.insert(fold(w));
  };
  add(m.conjunctions, {"and", "or", "&"});
  add(m.cues, {"republic", "government", "president", "embassy", "ministry", "minister", "capital", "border", "borders",
               "parliament", "authorities", "army", "troops", "economy", "territory", "citizens", "kingdom", "state"});
  add(m.features_before, {"lake", "gulf", "bay", "sea", "river", "strait", "mount"});
  add(m.features_after, {"river", "basin"});
  if (lang == "tr") {
    add(m.conjunctions, {"ve", "ile", "veya", "ya"});
    add(m.cues, {"cumhuriyeti", "hükümeti", "cumhurbaşkanı", "büyükelçiliği", "devleti", "başkenti", "sınırı", "ordusu",
                 "parlamentosu", "yönetimi", "ekonomisi", "halkı", "toprakları", "vatandaşları", "dışişleri", "krallığı"});
    add(m.features_after, {"gölü", "körfezi", "nehri", "havzası", "denizi", "boğazı"});
  } else if (lang == "ru") {
    add(m.conjunctions, {"и", "или", "а"});
    add(m.cues, {"республика", "республики", "республике", "республику", "правительство", "правительства", "президент",
                 "президента", "президентом", "посольство", "посольства", "граница", "границы", "столица", "столицы",
                 "власти", "армия", "армии", "парламент", "парламента", "министр", "министра", "мид", "территории",
                 "экономика", "экономики", "государство", "государства", "королевство"});
    add(m.features_before, {"озеро", "озера", "озере", "залив", "залива", "река", "реки", "море", "моря"});
  } else if (lang == "kk") {
    add(m.conjunctions, {"және", "мен", "бен", "пен", "немесе"});
    add(m.cues, {"республикасы", "үкіметі", "президенті", "елшілігі", "мемлекеті"});
  } else if (lang == "ky") {
    add(m.conjunctions, {"жана", "менен", "же"});
    add(m.cues, {"республикасы", "өкмөтү", "президенти", "элчилиги", "мамлекети"});
  } else if (lang == "uz") {
    add(m.conjunctions, {"va", "bilan", "yoki"});
    add(m.cues, {"respublikasi", "hukumati", "prezidenti", "elchixonasi", "davlati"});
  }
}

std::unique_ptr<Matcher> build(const std::string& lang) {
  auto m = std::make_unique<Matcher>();
  add_lists(*m, lang);
  for (const auto& s : forms::suffixes(lang)) m->suffixes.push_back(fold(s));
  std::sort(m->suffixes.begin(), m->suffixes.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (std::size_t i = 0; i < detail::kCommonFormCount; ++i) {
    const auto& f = detail::kCommonForms[i];
    if (f.lang == lang || std::string_view(f.lang) == "en") m->common.insert(fold(f.form));
  }
  std::vector<std::string> sources{lang};
  if (lang != "en") sources.push_back("en");
  for (const std::string& from : sources) {
    Analyzer analyzer(from);
    auto [lo, hi] = detail::rows_of(from);
    for (const auto* r = lo; r != hi; ++r) {
      auto words = analyzer.analyze(r->name);
      if (words.empty()) continue;
      if (words.size() == 1 && words[0].cjk) {
        const std::string& name = words[0].term;
        std::size_t first = 0;
        UChar32 c;
        U8_NEXT(name.data(), first, name.size(), c);
        m->cjk[name.substr(0, first)].push_back({name, r->code});
        continue;
      }
      // Names that are all single letters ("A.B.D.") would match initials anywhere.
      if (std::all_of(words.begin(), words.end(), [](const Word& w) { return w.term.size() <= 1; })) continue;
      Name n{{}, r->code, all_capitals(r->name)};
      for (const auto& w : words) {
        std::vector<std::string> folded;
        for (const auto& f : forms::word_forms(from, w.lower)) folded.push_back(fold(f));
        n.words.push_back(std::move(folded));
      }
      std::size_t index = m->names.size();
      for (const auto& f : n.words[0]) m->by_first.emplace(f, index);
      m->names.push_back(std::move(n));
    }
  }
  for (auto& [first, names] : m->cjk)
    std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return a.name.size() > b.name.size(); });
  return m;
}

class Matchers {
 public:
  const Matcher& of(const std::string& lang) {
    std::lock_guard lock(mutex_);
    auto& slot = matchers_[lang];
    if (!slot) slot = build(lang);
    return *slot;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Matcher>> matchers_;
};

Matchers& matchers() {
  static Matchers m;
  return m;
}

thread_local std::map<std::string, std::unique_ptr<Analyzer>> t_analyzers;
const Analyzer& analyzer_for(const std::string& lang) {
  auto& a = t_analyzers[lang];
  if (!a) a = std::make_unique<Analyzer>(lang);
  return *a;
}

bool opens_sentence(std::string_view text, std::size_t at) {
  std::size_t i = at;
  while (i > 0) {
    std::size_t from = i - 1;
    while (from > 0 && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) --from;
    std::size_t next = from;
    UChar32 c;
    U8_NEXT(text.data(), next, text.size(), c);
    i = from;
    if (c == '\n' || c == '.' || c == '!' || c == '?' || c == 0x2026 || c == ':' || c == 0x3002) return true;
    if (u_isspace(c) || u_hasBinaryProperty(c, UCHAR_QUOTATION_MARK) || c == '(' || c == '[' || c == 0xAB ||
        c == 0xBB || u_charType(c) == U_DASH_PUNCTUATION || c == '*' || c == 0x2022)
      continue;
    return false;
  }
  return true;
}

// The sentence each token belongs to, from the tokens that begin one.
void number_sentences(std::vector<Token>& tokens) {
  std::size_t sentence = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0 && tokens[i].start) ++sentence;
    tokens[i].sentence = sentence;
  }
}

std::vector<Token> tokenize(std::string_view text, const Analyzer& an) {
  CountryText ct;
  an.spans(text, [&](const Word& w, std::size_t begin, std::size_t end) { ct.add(text, w, begin, end); });
  return std::move(ct).take();
}

// Sentences written in title case (or capitals): a capital there is no
// evidence of a name. The countries found (`named`) do not count: a
// sentence full of names is not a title.
std::vector<bool> title_case(const std::vector<Token>& tokens, const std::vector<long>& named) {
  std::vector<int> caps, words;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.sentence >= words.size()) caps.resize(t.sentence + 1), words.resize(t.sentence + 1);
    if (t.joined || t.cjk || named[i] >= 0) continue;
    ++words[t.sentence];
    if (t.cap) ++caps[t.sentence];
  }
  std::vector<bool> out(words.size());
  for (std::size_t s = 0; s < words.size(); ++s) out[s] = caps[s] >= 3 && caps[s] * 10 >= words[s] * 6;
  return out;
}

// The word with `suffixes` (a chain of up to kMaxSuffixChain) removed: every
// base it can be read as, itself first.
void bases(const std::string& word, const std::vector<std::string>& suffixes, int depth, std::vector<std::string>& out) {
  out.push_back(word);
  if (depth == forms::kMaxSuffixChain) return;
  for (const auto& s : suffixes)
    if (word.size() > s.size() + 2 && word.compare(word.size() - s.size(), s.size(), s) == 0)
      bases(word.substr(0, word.size() - s.size()), suffixes, depth + 1, out);
}

bool has_form(const std::vector<std::string>& forms, const std::string& term) {
  return std::find(forms.begin(), forms.end(), term) != forms.end();
}

struct Match {
  std::string code;
  std::size_t first = 0, last = 0;  // tokens
  bool common = false;              // an ordinary word too: wants evidence
  bool accepted = false;
};

// The longest name beginning at token i, if any.
std::optional<Match> match_at(const Matcher& m, const std::vector<Token>& tokens, std::size_t i) {
  std::vector<std::string> candidates;
  bases(tokens[i].term, m.suffixes, 0, candidates);
  std::optional<Match> best;
  std::size_t best_words = 0;
  for (std::size_t b = 0; b < candidates.size(); ++b) {
    auto [lo, hi] = m.by_first.equal_range(candidates[b]);
    for (auto it = lo; it != hi; ++it) {
      const Name& n = m.names[it->second];
      std::size_t k = n.words.size();
      if (b > 0 && k > 1) continue;  // a suffix only on a name's last word
      if (i + k > tokens.size() || k < best_words) continue;
      bool ok = n.acronym ? tokens[i].capitals : tokens[i].cap;
      for (std::size_t j = 1; j < k && ok; ++j) {
        const Token& t = tokens[i + j];
        if (t.sentence != tokens[i].sentence) ok = false;
        else if (has_form(n.words[j], t.term)) continue;
        else if (j + 1 == k) {
          std::vector<std::string> tb;
          bases(t.term, m.suffixes, 0, tb);
          ok = std::any_of(tb.begin() + 1, tb.end(), [&](const std::string& s) { return has_form(n.words[j], s); });
        } else {
          ok = false;
        }
      }
      if (!ok) continue;
      if (k > best_words || !best) {
        best_words = k;
        best = Match{n.code, i, i + k - 1, k == 1 && !n.acronym && m.common.count(tokens[i].term) > 0, false};
      }
    }
  }
  return best;
}

// The next token after `i` that is not an apostrophe suffix, in the same sentence.
std::optional<std::size_t> next_word(const std::vector<Token>& tokens, std::size_t i) {
  for (std::size_t j = i + 1; j < tokens.size(); ++j) {
    if (tokens[j].sentence != tokens[i].sentence) return std::nullopt;
    if (!tokens[j].joined) return j;
  }
  return std::nullopt;
}
std::optional<std::size_t> previous_word(const std::vector<Token>& tokens, std::size_t i) {
  for (std::size_t j = i; j-- > 0;) {
    if (tokens[j].sentence != tokens[i].sentence) return std::nullopt;
    if (!tokens[j].joined) return j;
  }
  return std::nullopt;
}

void find_cjk(const Matcher& m, const std::string& run, std::set<std::string>& out) {
  static const std::string_view kFeatures[] = {"湾", "湖"};
  std::size_t i = 0;
  while (i < run.size()) {
    std::size_t next = i;
    UChar32 c;
    U8_NEXT(run.data(), next, run.size(), c);
    const CjkName* hit = nullptr;
    if (auto it = m.cjk.find(run.substr(i, next - i)); it != m.cjk.end())
      for (const auto& n : it->second)
        if (run.compare(i, n.name.size(), n.name) == 0) {
          hit = &n;
          break;  // longest first
        }
    if (!hit) {
      i = next;
      continue;
    }
    i += hit->name.size();
    bool feature = false;
    for (auto f : kFeatures) feature |= run.compare(i, f.size(), f) == 0;
    if (!feature) out.insert(hit->code);
  }
}

}  // namespace

std::set<std::string> Gazetteer::find(std::string_view text, std::string_view lang) const {
  CountryText ct;
  analyzer_for(primary_subtag(lang)).spans(text, [&](const Word& w, std::size_t begin, std::size_t end) { ct.add(text, w, begin, end); });
  return find(std::move(ct), lang);
}

std::set<std::string> Gazetteer::find(CountryText text, std::string_view lang) const {
  std::set<std::string> out;
  const std::string p = primary_subtag(lang);
  const Matcher& m = matchers().of(p);
  std::vector<Token> tokens = std::move(text).take();
  number_sentences(tokens);

  std::vector<Match> matches;
  std::vector<long> match_of(tokens.size(), -1);  // token -> match
  for (std::size_t i = 0; i < tokens.size();) {
    if (tokens[i].cjk) {
      find_cjk(m, tokens[i].term, out);
      ++i;
      continue;
    }
    auto hit = match_at(m, tokens, i);
    if (!hit) {
      ++i;
      continue;
    }
    auto prev = previous_word(tokens, hit->first);
    auto next = next_word(tokens, hit->last);
    bool feature = (prev && m.features_before.count(tokens[*prev].term)) || (next && m.features_after.count(tokens[*next].term));
    if (prev && *prev > 0 && tokens[*prev].term == "of" && !feature)
      if (auto before = previous_word(tokens, *prev)) feature = m.features_before.count(tokens[*before].term) > 0;
    if (!feature) {
      for (std::size_t t = hit->first; t <= hit->last; ++t) match_of[t] = static_cast<long>(matches.size());
      matches.push_back(*hit);
    }
    i = hit->last + 1;
  }

  // Evidence from the match's own place.
  const auto title = title_case(tokens, match_of);
  const bool comma_sets_off = p == "en" || p == "tr";
  for (auto& mt : matches) {
    if (!mt.common) {
      mt.accepted = true;
      continue;
    }
    const Token& t = tokens[mt.first];
    auto next = next_word(tokens, mt.last);
    auto prev = previous_word(tokens, mt.first);
    bool apostrophe = mt.last + 1 < tokens.size() && tokens[mt.last + 1].joined;
    bool cue = (prev && m.cues.count(tokens[*prev].term)) || (next && m.cues.count(tokens[*next].term));
    bool opens_name = next && tokens[*next].cap && !m.cues.count(tokens[*next].term) && match_of[*next] < 0;
    bool capital = t.cap && !t.start && !t.capitals && !title[t.sentence] && !opens_name;
    // English and Turkish set a sentence's subject off by a comma ("Gine,
    // dünyanın…"); the common words do not begin a sentence so.
    bool comma = comma_sets_off && t.start && tokens[mt.last].comma_after;
    mt.accepted = apostrophe || cue || capital || comma;
  }
  // Evidence from neighbouring countries and from the rest of the text.
  auto neighbour = [&](std::optional<std::size_t> w, bool forward) {
    if (!w) return false;
    if (match_of[*w] >= 0) return matches[match_of[*w]].accepted;
    if (!m.conjunctions.count(tokens[*w].term)) return false;
    auto beyond = forward ? next_word(tokens, *w) : previous_word(tokens, *w);
    return beyond && match_of[*beyond] >= 0 && matches[match_of[*beyond]].accepted;
  };
  for (bool changed = true; changed;) {
    changed = false;
    std::set<std::string> sure;
    for (const auto& mt : matches)
      if (mt.accepted) sure.insert(mt.code);
    for (auto& mt : matches) {
      if (mt.accepted || !tokens[mt.first].cap) continue;
      if (sure.count(mt.code) || neighbour(previous_word(tokens, mt.first), false) || neighbour(next_word(tokens, mt.last), true)) {
        mt.accepted = changed = true;
        sure.insert(mt.code);
      }
    }
  }
  for (const auto& mt : matches)
    if (mt.accepted) out.insert(mt.code);
  return out;
}

void CountryText::add(std::string_view part, const Word& w, std::size_t begin, std::size_t end) {
  Token t;
  t.term = w.term;
  t.cjk = w.cjk;
  t.joined = !tokens_.empty() && part.data() == part_ && tokens_.back().begin == begin;
  part_ = part.data();
  t.begin = begin;
  std::string_view written = part.substr(begin, end - begin);
  std::size_t i = 0;
  UChar32 first;
  U8_NEXT(written.data(), i, written.size(), first);
  t.cap = first >= 0 && !u_islower(first);
  std::size_t apostrophe = written.find_first_of("'\xe2\xca");  // ', ’ (U+2019), ʻ ʼ (U+02BB/02BC)
  t.capitals = t.cap && all_capitals(written.substr(0, apostrophe == 0 ? written.size() : apostrophe));
  t.start = !t.joined && opens_sentence(part, begin);
  t.comma_after = end < part.size() && part[end] == ',';
  tokens_.push_back(std::move(t));
}

std::vector<std::string> Gazetteer::word_codes(std::string_view word, std::string_view lang) const {
  const std::string p = primary_subtag(lang);
  const Matcher& m = matchers().of(p);
  auto tokens = tokenize(word, analyzer_for(p));
  number_sentences(tokens);
  std::set<std::string> codes;
  if (tokens.size() == 1 && tokens[0].cjk) {
    find_cjk(m, tokens[0].term, codes);
  } else if (!tokens.empty()) {
    // A query is not written with care for capitals: read it as a name.
    for (auto& t : tokens) t.cap = t.capitals = true;
    if (auto hit = match_at(m, tokens, 0); hit && (hit->last + 1 == tokens.size() || tokens[hit->last + 1].joined))
      codes.insert(hit->code);
  }
  return {codes.begin(), codes.end()};
}

bool Gazetteer::common_word(std::string_view word, std::string_view lang) const {
  const Matcher& m = matchers().of(primary_subtag(lang));
  auto tokens = tokenize(word, analyzer_for(primary_subtag(lang)));
  return !tokens.empty() && m.common.count(tokens[0].term) > 0;
}

}  // namespace defter::indexer
