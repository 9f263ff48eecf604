#include "defter/indexer/analysis.hpp"

#include <unicode/brkiter.h>
#include <unicode/translit.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>
#include <xapian.h>

#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>

namespace defter::indexer {
namespace {

constexpr int32_t kMinStem = 4;  // letters a further stemming pass must leave

std::string primary(std::string_view lang) {
  std::string p(lang.substr(0, lang.find('-')));
  return p;
}

bool is_apostrophe(UChar32 c) {
  return c == 0x27 || c == 0x2019 || c == 0x2018 || c == 0x02BC || c == 0x02BB || c == 0x60 || c == 0xB4 ||
         c == 0x2032;
}

bool is_cjk_char(UChar32 c) {
  if (c < 0x1100) return false;  // below Hangul Jamo: no CJK script
  UErrorCode err = U_ZERO_ERROR;
  UScriptCode script = uscript_getScript(c, &err);
  return script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA ||
         script == USCRIPT_HANGUL || script == USCRIPT_BOPOMOFO;
}

const icu::Normalizer2& nfd() {
  UErrorCode err = U_ZERO_ERROR;
  return *icu::Normalizer2::getNFDInstance(err);
}
const icu::Normalizer2& nfc() {
  UErrorCode err = U_ZERO_ERROR;
  return *icu::Normalizer2::getNFCInstance(err);
}

// Marks removed, ı → i; the input is already lower case.
std::string fold_lowered(const icu::UnicodeString& lowered) {
  UErrorCode err = U_ZERO_ERROR;
  icu::UnicodeString decomposed = nfd().normalize(lowered, err);
  icu::UnicodeString kept;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) == U_NON_SPACING_MARK) continue;
    if (c == 0x0131) c = 'i';  // dotless i
    kept.append(c);
  }
  icu::UnicodeString composed = nfc().normalize(kept, err);
  std::string out;
  composed.toUTF8String(out);
  return out;
}

// English function words: enough of them in a paragraph of another language
// mark an untranslated English passage.
bool is_english_function_word(const std::string& w) {
  static const char* const kWords[] = {"the", "and", "of", "to", "in", "is", "that", "for", "it", "as",
                                       "with", "was", "on", "by", "this", "are", "be", "not", "or", "from",
                                       "which", "an", "its", "their", "also", "has", "have"};
  for (const char* k : kWords)
    if (w == k) return true;
  return false;
}

}  // namespace

bool is_cjk_language(std::string_view lang) {
  std::string p = primary(lang);
  return p == "zh" || p == "ja" || p == "ko";
}

std::vector<std::string> stemmed_languages() {
  std::vector<std::string> out;
  std::string all = Xapian::Stem::get_available_languages();
  static const std::map<std::string, std::string> kIso = {
      {"arabic", "ar"},  {"armenian", "hy"}, {"basque", "eu"},   {"catalan", "ca"},   {"danish", "da"},
      {"dutch", "nl"},   {"english", "en"},  {"finnish", "fi"},  {"french", "fr"},    {"german", "de"},
      {"greek", "el"},   {"hindi", "hi"},    {"hungarian", "hu"}, {"indonesian", "id"}, {"irish", "ga"},
      {"italian", "it"}, {"lithuanian", "lt"}, {"nepali", "ne"}, {"norwegian", "nb"}, {"portuguese", "pt"},
      {"romanian", "ro"}, {"russian", "ru"}, {"spanish", "es"},  {"swedish", "sv"},   {"tamil", "ta"},
      {"turkish", "tr"}, {"yiddish", "yi"}};
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t end = all.find(' ', start);
    if (end == std::string::npos) end = all.size();
    std::string name = all.substr(start, end - start);
    if (auto it = kIso.find(name); it != kIso.end()) out.push_back(it->second);
    start = end + 1;
  }
  return out;
}

std::string fold(std::string_view text) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  u.toLower(icu::Locale::getRoot());
  return fold_lowered(u);
}

std::string latin_folded(std::string_view text) {
  thread_local std::unique_ptr<icu::Transliterator> to_latin;
  if (!to_latin) {
    UErrorCode err = U_ZERO_ERROR;
    to_latin.reset(icu::Transliterator::createInstance("Any-Latin; Latin-ASCII", UTRANS_FORWARD, err));
    if (U_FAILURE(err)) to_latin.reset();
    if (!to_latin) return fold(text);
  }
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  for (int32_t i = 0; i < u.length();) {
    UChar32 c = u.char32At(i);
    if (is_cjk_char(c)) return "";
    i += U16_LENGTH(c);
  }
  to_latin->transliterate(u);
  u.toLower(icu::Locale::getRoot());
  return fold_lowered(u);
}

std::vector<std::string> latin_words(std::string_view latin) {
  std::vector<std::string> out;
  std::string w;
  for (char c : latin) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      w += c;
    } else if (!w.empty()) {
      out.push_back(std::move(w));
      w.clear();
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

struct Analyzer::Impl {
  std::string lang;
  icu::Locale locale;
  Xapian::Stem stemmer;
  bool has_stemmer = false;
  bool turkic = false;       // dotted and dotless i are letters of their own
  bool cyrillic_yo = false;  // ё is written or not: stem it as е
  std::unique_ptr<icu::BreakIterator> breaker;

  explicit Impl(std::string_view tag) : lang(tag), locale(primary(tag).c_str()) {
    std::string p = primary(tag);
    turkic = p == "tr" || p == "az" || p == "tt" || p == "kk" || p == "crh";
    cyrillic_yo = p == "ru" || p == "be" || p == "uk";
    if (p == "nb" || p == "nn") p = "no";
    try {
      if (!p.empty()) {
        stemmer = Xapian::Stem(p);
        has_stemmer = true;
      }
    } catch (const Xapian::InvalidArgumentError&) {
      has_stemmer = false;  // no stemmer for this language: unstemmed terms only
    }
    UErrorCode err = U_ZERO_ERROR;
    breaker.reset(icu::BreakIterator::createWordInstance(locale, err));
  }

  // The folded fixed-point stem of a lowercased word.
  std::string stem_of(const icu::UnicodeString& word) {
    std::string utf8;
    word.toUTF8String(utf8);
    std::string stem = stemmer(utf8);
    for (int pass = 0; pass < 3; ++pass) {
      std::string again = stemmer(stem);
      // Short roots over-conflate ("ada", "ata", "atama" -> "a"): a pass may
      // not leave fewer than kMinStem letters.
      if (again == stem || icu::UnicodeString::fromUTF8(again).countChar32() < kMinStem) break;
      stem = std::move(again);
    }
    return fold(stem);
  }

  // Words repeat (Zipf): their analysis is cached, token -> words.
  static constexpr std::size_t kCacheLimit = 200000;
  std::unordered_map<std::u16string, std::vector<Word>> cache;

  void emit_cached(const icu::UnicodeString& token, const std::function<void(const Word&)>& fn) {
    std::u16string key(token.getBuffer(), static_cast<std::size_t>(token.length()));
    auto it = cache.find(key);
    if (it == cache.end()) {
      if (cache.size() >= kCacheLimit) cache.clear();
      std::vector<Word> words;
      emit_word(token, [&](const Word& w) { words.push_back(w); });
      it = cache.emplace(std::move(key), std::move(words)).first;
    }
    for (const auto& w : it->second) fn(w);
  }

  // Terms of one word (no CJK inside).
  void emit_word(const icu::UnicodeString& word, const std::function<void(const Word&)>& fn) {
    icu::UnicodeString lowered(word);
    lowered.toLower(locale);
    // Split at apostrophes.
    int32_t start = 0;
    for (int32_t i = 0; i <= lowered.length();) {
      UChar32 c = i < lowered.length() ? lowered.char32At(i) : 0;
      if (i == lowered.length() || is_apostrophe(c)) {
        if (i > start) {
          icu::UnicodeString part = lowered.tempSubStringBetween(start, i);
          Word w;
          part.toUTF8String(w.lower);
          w.term = fold_lowered(part);
          if (has_stemmer) {
            icu::UnicodeString for_stemmer(part);
            if (cyrillic_yo) for_stemmer.findAndReplace(u"ё", u"е");
            w.stem = stem_of(for_stemmer);
            if (turkic && for_stemmer.indexOf(u'ı') >= 0) {
              icu::UnicodeString dotted(for_stemmer);
              dotted.findAndReplace(u"ı", u"i");
              std::string alt = stem_of(dotted);
              if (alt != w.stem) w.stem_alt = alt;
            }
          }
          if (!w.term.empty()) fn(w);
        }
        if (i == lowered.length()) break;
        i += U16_LENGTH(c);
        start = i;
        continue;
      }
      i += U16_LENGTH(c);
    }
  }

  // The folded first letter of a word, memoised (a handful of letters recur).
  std::unordered_map<UChar32, UChar32> initial_cache;
  UChar32 folded_initial(UChar32 c) {
    auto it = initial_cache.find(c);
    if (it != initial_cache.end()) return it->second;
    icu::UnicodeString one(c);
    std::string utf8;
    one.toUTF8String(utf8);
    icu::UnicodeString f = icu::UnicodeString::fromUTF8(fold(utf8));
    UChar32 out = f.isEmpty() ? c : f.char32At(0);
    if (initial_cache.size() < 4096) initial_cache.emplace(c, out);
    return out;
  }

  // Calls fn(word, begin, end) for every word; begin and end are byte
  // offsets into text when `offsets` is set, else 0. With `initials`, words
  // whose folded first letter is not among them are skipped unanalysed
  // (unless they hold an apostrophe: "l'État").
  void words(std::string_view text, bool offsets,
             const std::function<void(const Word&, std::size_t, std::size_t)>& fn,
             const std::u32string* initials = nullptr) {
    if (!initials || !offsets) return break_into_words(text, offsets, fn, initials);
    // The word breaker costs more than everything else a highlighter does,
    // and with initials most of a long text cannot match. A word never
    // spans ASCII whitespace (outside CJK runs), so only the stretches of
    // text between spaces where a word may start with one of the initials
    // are broken into words, nearby ones together. A stretch counts when
    // one of its letters follows a non-letter (or starts it) and folds to
    // an initial (the part after an apostrophe included), or when it holds
    // a letter of a script the breaker segments by dictionary (Thai and
    // beyond); text with CJK is broken whole, its runs spanning spaces.
    constexpr std::size_t kJoin = 64;  // bytes of text between two stretches broken with them
    std::vector<std::pair<std::size_t, std::size_t>> stretches;
    std::size_t begin = std::string_view::npos;
    bool wanted = false, after_letter = false;
    auto end_stretch = [&](std::size_t end) {
      if (begin != std::string_view::npos && wanted) {
        if (!stretches.empty() && begin - stretches.back().second <= kJoin) stretches.back().second = end;
        else stretches.emplace_back(begin, end);
      }
      begin = std::string_view::npos;
      wanted = after_letter = false;
    };
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
    const auto n = static_cast<int32_t>(text.size());
    for (int32_t i = 0; i < n;) {
      std::uint8_t b = bytes[i];
      if (b == ' ' || b == '\n' || b == '\t' || b == '\r' || b == '\f' || b == '\v') {
        end_stretch(static_cast<std::size_t>(i));
        ++i;
        continue;
      }
      if (begin == std::string_view::npos) begin = static_cast<std::size_t>(i);
      UChar32 c;
      U8_NEXT(bytes, i, n, c);
      if (c >= 0x1100 && is_cjk_char(c)) return break_into_words(text, offsets, fn, initials);
      bool letter = c >= 0 && (c < 0x80 ? (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') : u_isalnum(c) != 0);
      if (!wanted)
        wanted = c < 0 || (c >= 0x0E00 && (c < 0x2000 || c > 0x206F)) ||
                 (letter && !after_letter && initials->find(static_cast<char32_t>(folded_initial(c))) != std::u32string::npos);
      after_letter = letter;
    }
    end_stretch(text.size());
    for (const auto& stretch : stretches) {
      std::size_t from = stretch.first;  // a plain variable: clang 14 cannot capture a structured binding
      break_into_words(text.substr(from, stretch.second - from), true,
                       [&](const Word& w, std::size_t b, std::size_t e) { fn(w, from + b, from + e); }, initials);
    }
  }

  void break_into_words(std::string_view text, bool offsets,
                        const std::function<void(const Word&, std::size_t, std::size_t)>& fn,
                        const std::u32string* initials) {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    // UTF-16 index -> UTF-8 offset, taken before apostrophes are replaced.
    std::vector<std::uint32_t> at;
    if (offsets) {
      at.resize(static_cast<std::size_t>(u.length()) + 1);
      std::uint32_t bytes = 0;
      for (int32_t i = 0; i < u.length();) {
        UChar32 c = u.char32At(i);
        int32_t n = U16_LENGTH(c);
        for (int32_t k = 0; k < n; ++k) at[static_cast<std::size_t>(i + k)] = bytes;
        bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        i += n;
      }
      at[static_cast<std::size_t>(u.length())] = bytes;
    }
    auto offset = [&](int32_t i) -> std::size_t { return offsets ? at[static_cast<std::size_t>(i)] : 0; };
    // One apostrophe, so that the word breaker keeps "Kazakistan’ın" together.
    for (int32_t i = 0; i < u.length(); ++i)
      if (is_apostrophe(u.charAt(i))) u.setCharAt(i, u'\'');
    // CJK runs are found here rather than by the word breaker, whose
    // dictionary segmentation of Chinese is costly: runs are indexed whole,
    // as n-grams. Spaces between CJK characters do not end a run.
    auto break_words = [&](int32_t from, int32_t to) {
      if (from >= to) return;
      icu::UnicodeString part = u.tempSubStringBetween(from, to);
      breaker->setText(part);
      int32_t start = breaker->first();
      for (int32_t end = breaker->next(); end != icu::BreakIterator::DONE; start = end, end = breaker->next()) {
        if (breaker->getRuleStatus() == UBRK_WORD_NONE) continue;
        icu::UnicodeString token = part.tempSubStringBetween(start, end);
        if (initials && initials->find(static_cast<char32_t>(folded_initial(token.char32At(0)))) == std::u32string::npos &&
            token.indexOf(u'\'') < 0)
          continue;
        emit_cached(token, [&](const Word& w) { fn(w, offset(from + start), offset(from + end)); });
      }
    };
    int32_t plain_from = 0;
    for (int32_t i = 0; i < u.length();) {
      UChar32 c = u.char32At(i);
      if (!is_cjk_char(c)) {
        i += U16_LENGTH(c);
        continue;
      }
      break_words(plain_from, i);
      icu::UnicodeString run;
      int32_t run_begin = i, run_end = i;
      for (int32_t j = i; j < u.length();) {
        UChar32 d = u.char32At(j);
        if (is_cjk_char(d)) {
          run.append(d);
          j += U16_LENGTH(d);
          run_end = j;
        } else if (u_isUWhiteSpace(d)) {
          j += U16_LENGTH(d);
        } else {
          break;
        }
      }
      Word w;
      run.toUTF8String(w.term);
      w.lower = w.term;
      w.cjk = true;
      fn(w, offset(run_begin), offset(run_end));
      i = plain_from = run_end;
    }
    break_words(plain_from, u.length());
  }
};

Analyzer::Analyzer(std::string_view lang) : impl_(std::make_unique<Impl>(lang)) {}
Analyzer::~Analyzer() = default;
Analyzer::Analyzer(Analyzer&&) noexcept = default;
Analyzer& Analyzer::operator=(Analyzer&&) noexcept = default;

const std::string& Analyzer::lang() const { return impl_->lang; }
bool Analyzer::has_stemmer() const { return impl_->has_stemmer; }

void Analyzer::words(std::string_view text, const std::function<void(const Word&)>& fn) const {
  impl_->words(text, false, [&](const Word& w, std::size_t, std::size_t) { fn(w); });
}

void Analyzer::spans(std::string_view text,
                     const std::function<void(const Word&, std::size_t begin, std::size_t end)>& fn) const {
  impl_->words(text, true, fn);
}

void Analyzer::spans(std::string_view text, const std::u32string& initials,
                     const std::function<void(const Word&, std::size_t begin, std::size_t end)>& fn) const {
  impl_->words(text, true, fn, &initials);
}

std::vector<Word> Analyzer::analyze(std::string_view text) const {
  std::vector<Word> out;
  words(text, [&](const Word& w) { out.push_back(w); });
  return out;
}

bool looks_english(std::string_view paragraph) {
  // A plain scan: words are runs of letters; English function words are ASCII.
  int words = 0, function_words = 0;
  std::string word;
  auto end_word = [&] {
    if (word.empty()) return;
    ++words;
    function_words += is_english_function_word(word);
    word.clear();
  };
  for (char c : paragraph) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalpha(u)) word += static_cast<char>(std::tolower(u));
    else if (u >= 0x80) word += c;  // part of a non-ASCII word: never a function word
    else end_word();
  }
  end_word();
  return words >= 8 && function_words * 100 >= words * 15;
}

}  // namespace defter::indexer
