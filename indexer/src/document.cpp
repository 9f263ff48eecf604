#include "document.hpp"

#include <cmark.h>

#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "defter/indexer/gazetteer.hpp"
#include "defter/schema/footnotes.hpp"
#include "defter/schema/partial_date.hpp"
#include "defter/indexer/index_schema.hpp"

namespace defter::indexer {
namespace {

using nlohmann::json;

constexpr Xapian::termcount kTitleWeight = 5;
// Longer "words" (base64, long URLs) are skipped, as Xapian's TermGenerator
// does: a term over Xapian's 245-byte limit would fail the whole commit.
constexpr std::size_t kMaxWordBytes = 64;

std::string fingerprint_of(const std::string& text) {
  // FNV-1a, 64 bits: only compared with itself, never stored outside the index.
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(1, sep)) + s;
  return out;
}

// Adds the words of a text to a document at increasing positions.
class TextIndexer {
 public:
  TextIndexer(Xapian::Document& doc, Xapian::termpos& pos, std::set<std::string>* spelling, const PairWords* pair_words)
      : doc_(doc), pos_(pos), spelling_(spelling), pair_words_(pair_words) {}

  // Indexes text; its words also go to `countries` when given (one
  // analysis for both).
  void add(const Analyzer& analyzer, const std::string& text, Xapian::termcount weight, const std::string& prefix = "",
           CountryText* countries = nullptr) {
    auto index = [&](const Word& w) {
      if (w.cjk) {
        add_cjk(w.term, weight, prefix);
        return;
      }
      ++pos_;
      if (w.term.size() > kMaxWordBytes) return;
      doc_.add_posting(w.term, pos_, weight);
      if (pair_words_ && pair_words_->count(w.term)) {
        if (previous_pos_ + 1 == pos_) doc_.add_term(pair_term(previous_, w.term), weight);
        previous_ = w.term;
        previous_pos_ = pos_;
      }
      if (!prefix.empty()) doc_.add_term(prefix + w.term, weight);
      for (const std::string* stem : {&w.stem, &w.stem_alt}) {
        if (stem->empty()) continue;
        doc_.add_term(std::string(prefix::kStem) + *stem, weight);
        if (!prefix.empty()) doc_.add_term(std::string(prefix::kStem) + prefix + *stem, weight);
      }
      if (spelling_ && w.lower.size() >= 3) spelling_->insert(w.lower);
    };
    if (countries) {
      analyzer.spans(text, [&](const Word& w, std::size_t begin, std::size_t end) {
        countries->add(text, w, begin, end);
        index(w);
      });
      countries->end_part();
    } else {
      analyzer.words(text, index);
    }
    pos_ += 10;  // no phrase across fields or paragraphs
  }

  // A name's words also in Latin letters (latin_folded), without positions,
  // when its script is another: "Соколова" is found by "Sokolova",
  // "Башаран" and "Başaran" meet at "basaran".
  // Its stems too, as `analyzer` gives them: a query is compiled per
  // language and searches stems.
  void add_latin(const Analyzer& analyzer, const std::string& name, Xapian::termcount weight, const std::string& prefix) {
    std::string latin = latin_folded(name);
    if (latin.empty() || latin == fold(name)) return;
    analyzer.words(latin, [&](const Word& w) {
      if (w.cjk || w.term.size() > kMaxWordBytes) return;
      doc_.add_term(w.term, weight);
      if (!prefix.empty()) doc_.add_term(prefix + w.term, weight);
      for (const std::string* stem : {&w.stem, &w.stem_alt}) {
        if (stem->empty()) continue;
        doc_.add_term(std::string(prefix::kStem) + *stem, weight);
        if (!prefix.empty()) doc_.add_term(std::string(prefix::kStem) + prefix + *stem, weight);
      }
    });
  }

 private:
  // Xapian's own CJK n-grams (unigrams and bigrams), as its QueryParser expects.
  void add_cjk(const std::string& run, Xapian::termcount weight, const std::string& prefix) {
    Xapian::TermGenerator tg;
    tg.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
    tg.set_document(doc_);
    tg.set_termpos(pos_);
    tg.index_text(run, weight);
    if (!prefix.empty()) tg.index_text_without_positions(run, weight, prefix);
    pos_ = tg.get_termpos();
  }

  Xapian::Document& doc_;
  Xapian::termpos& pos_;
  std::set<std::string>* spelling_;
  const PairWords* pair_words_;  // none: no pair terms
  std::string previous_;  // the last pair word indexed, at previous_pos_ (a pair with the next when adjacent)
  Xapian::termpos previous_pos_ = 0;
};

}  // namespace

std::string unit_term(schema::RecordType type, const std::string& id) {
  return std::string(prefix::kUnit) + (type == schema::RecordType::kAuthor ? "u:" : "a:") + id;
}

std::string pair_term(std::string_view first, std::string_view second) {
  std::string t(prefix::kPair);
  t.append(first).append(1, ' ').append(second);
  return t;
}

std::string source_term(const std::string& publisher) {
  std::string term(prefix::kSource);
  for (char c : fold(publisher)) term += c == ' ' ? '_' : c;
  return term;
}

std::string plain_text(const std::string& commonmark) {
  cmark_node* root = cmark_parse_document(commonmark.data(), commonmark.size(), CMARK_OPT_DEFAULT);
  std::string out;
  cmark_iter* iter = cmark_iter_new(root);
  for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
    cmark_node* node = cmark_iter_get_node(iter);
    cmark_node_type type = cmark_node_get_type(node);
    if (ev == CMARK_EVENT_ENTER) {
      if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE || type == CMARK_NODE_CODE_BLOCK) {
        if (const char* lit = cmark_node_get_literal(node)) out += lit;
      } else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
        out += ' ';
      }
    } else if (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING || type == CMARK_NODE_CODE_BLOCK ||
               type == CMARK_NODE_ITEM) {
      out += "\n\n";
    }
  }
  cmark_iter_free(iter);
  cmark_node_free(root);
  // Footnote markers: "[12]" -> " ".
  std::string cleaned;
  cleaned.reserve(out.size());
  std::size_t copied = 0;
  for (std::size_t i = out.find('['); i != std::string::npos; i = out.find('[', i + 1)) {
    std::size_t j = i + 1;
    while (j < out.size() && std::isdigit(static_cast<unsigned char>(out[j]))) ++j;
    if (j > i + 1 && j < out.size() && out[j] == ']') {
      cleaned.append(out, copied, i - copied);
      cleaned += ' ';
      copied = j + 1;
      i = j;
    }
  }
  cleaned.append(out, copied, std::string::npos);
  return cleaned;
}

Analyzer& DocumentBuilder::analyzer(const std::string& lang) {
  auto& slot = analyzers_[lang];
  if (!slot) slot = std::make_unique<Analyzer>(lang);
  return *slot;
}

namespace {

// What every translation's fingerprint shares: the article without its
// translations, its languages, its authors' names. Made once per article
// (copying the article for each translation made indexing quadratic in
// the number of translations).
std::string article_fingerprint_shared(const schema::Article& a, const std::vector<schema::Author>& authors) {
  json meta = a;
  meta.erase("translations");
  json langs = json::array(), names = json::array();
  for (auto& [l, t] : a.translations) langs.push_back(l);
  for (auto& au : authors) names.push_back(au.name);
  // The compact dump of {"authors", "langs", "meta", "t"} (keys sorted),
  // up to the translation's own part.
  return "{\"authors\":" + names.dump() + ",\"langs\":" + langs.dump() + ",\"meta\":" + meta.dump() + ",\"t\":";
}

std::string article_fingerprint(const std::string& shared, const schema::Translation& t) {
  return fingerprint_of(shared + json(t).dump() + "}");
}

std::string author_fingerprint(const schema::Author& a, const std::string& lang) {
  json j = {{"a", json(a)}, {"lang", lang}};
  return fingerprint_of(j.dump());
}

}  // namespace

std::vector<BuiltDocument> DocumentBuilder::article(const schema::Article& a, const std::vector<schema::Author>& authors) {
  std::vector<BuiltDocument> out;
  std::vector<std::string> langs, author_ids;
  for (auto& [l, t] : a.translations) langs.push_back(l);
  for (auto& au : authors) author_ids.push_back(au.id);
  // The schema admitted the date: it parses. Undated material has none.
  std::string start, end;
  if (auto date = schema::PartialDate::parse(a.published)) {
    start = date->first_day();
    end = date->last_day();
  }
  const std::string shared = article_fingerprint_shared(a, authors);
  for (const auto& [lang, t] : a.translations) {
    BuiltDocument b;
    b.unique = "a:" + a.id + "/" + lang;
    Xapian::Document& doc = b.doc;
    Analyzer& an = analyzer(lang);
    Xapian::termpos pos = 0;
    std::set<std::string> spelling;
    TextIndexer text(doc, pos, &spelling, pair_words_.get());
    CountryText countries;  // the title's and the body's words, for the recogniser
    text.add(an, t.title, kTitleWeight, std::string(prefix::kTitle), &countries);
    if (t.subtitle) text.add(an, *t.subtitle, 2);

    // The body, paragraph by paragraph: an untranslated English passage in a
    // text of another language is analysed as English, and noted.
    std::string body = plain_text(t.body);
    bool english_passage = false;
    std::size_t p = 0;
    while (p < body.size()) {
      std::size_t q = body.find("\n\n", p);
      if (q == std::string::npos) q = body.size();
      std::string paragraph = body.substr(p, q - p);
      p = q + 2;
      if (paragraph.find_first_not_of(" \n") == std::string::npos) continue;
      Analyzer* pa = &an;
      if (lang.rfind("en", 0) != 0 && looks_english(paragraph)) {
        pa = &analyzer("en");
        english_passage = true;
      }
      text.add(*pa, paragraph, 1, "", &countries);
    }

    // Notes an older defter stored as text alone are read as import reads them now.
    std::vector<schema::Footnote> notes = t.footnotes;
    schema::complete_footnotes(notes);
    std::set<std::string> sources;
    for (const auto& f : notes) {
      text.add(an, f.text, 1);
      if (f.title) text.add(an, *f.title, 1);
      if (f.publisher) sources.insert(source_term(*f.publisher));
    }
    for (const auto& au : authors) {
      text.add(an, au.name, 2, std::string(prefix::kAuthorName));
      text.add_latin(an, au.name, 2, std::string(prefix::kAuthorName));
      doc.add_boolean_term(std::string(prefix::kAuthor) + au.id);
    }
    for (const auto& tag : a.tags) text.add(an, tag, 2);

    doc.add_boolean_term(std::string(prefix::kUnique) + b.unique);
    doc.add_boolean_term(unit_term(schema::RecordType::kArticle, a.id));
    doc.add_boolean_term(std::string(prefix::kType) + "article");
    doc.add_boolean_term(std::string(prefix::kId) + a.id);
    doc.add_boolean_term(std::string(prefix::kLang) + lang);
    if (english_passage) doc.add_boolean_term(std::string(prefix::kPassageLang) + "en");
    for (const auto& term : sources)
      if (term.size() < 200) doc.add_boolean_term(term);
    std::set<std::string> subject(a.countries.begin(), a.countries.end());
    std::set<std::string> mentioned = Gazetteer::instance().find(std::move(countries), lang);
    for (const auto& c : a.not_countries) mentioned.erase(c);
    std::vector<std::string> mentioned_only;
    for (const auto& c : subject) {
      doc.add_boolean_term(std::string(prefix::kSubjectCountry) + c);
      doc.add_boolean_term(std::string(prefix::kCountry) + c);
    }
    for (const auto& c : mentioned) {
      doc.add_boolean_term(std::string(prefix::kMentionedCountry) + c);
      doc.add_boolean_term(std::string(prefix::kCountry) + c);
      if (!subject.count(c)) mentioned_only.push_back(c);
    }
    if (start.empty()) {
      doc.add_boolean_term(std::string(prefix::kYear) + std::string(kUndated));  // year:undated, the facet's value
    } else {
      doc.add_boolean_term(std::string(prefix::kYear) + a.published.substr(0, 4));
      if (a.published.size() >= 7) doc.add_boolean_term(std::string(prefix::kMonth) + a.published.substr(0, 4) + a.published.substr(5, 2));
      if (a.published.size() == 10) doc.add_boolean_term(std::string(prefix::kDay) + start);
      // No value at all when undated: sorted after every date, newest or oldest first.
      doc.add_value(slot::kDateStart, start);
      doc.add_value(slot::kDateEnd, end);
    }
    doc.add_value(slot::kCollapse, a.id);
    doc.add_value(slot::kCountries, join(a.countries, ',') + "|" + join(mentioned_only, ','));
    doc.add_value(slot::kAuthors, join(author_ids, '\t'));
    doc.add_value(slot::kLang, lang);
    doc.add_value(slot::kFingerprint, article_fingerprint(shared, t));

    json data = {{"type", "article"}, {"id", a.id}, {"lang", lang}, {"languages", langs}, {"title", t.title},
                 {"original_language", a.original_language}};
    if (!a.published.empty()) data["published"] = a.published;
    if (t.subtitle) data["subtitle"] = *t.subtitle;
    data["authors"] = json::array();
    for (const auto& au : authors) data["authors"].push_back({{"id", au.id}, {"name", au.name}});
    data["countries"] = {{"subject", a.countries}, {"mentioned", mentioned_only}};
    doc.set_data(data.dump());
    b.spelling.assign(spelling.begin(), spelling.end());
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<BuiltDocument> DocumentBuilder::author(const schema::Author& a) {
  std::vector<BuiltDocument> out;
  std::map<std::string, std::string> bios = a.bio;
  if (bios.empty()) bios[""] = "";
  std::vector<std::string> langs;
  for (auto& [l, t] : a.bio) langs.push_back(l);
  for (const auto& [lang, bio] : bios) {
    BuiltDocument b;
    b.unique = "u:" + a.id + "/" + lang;
    Xapian::Document& doc = b.doc;
    Analyzer& an = analyzer(lang.empty() ? "en" : lang);
    Xapian::termpos pos = 0;
    TextIndexer text(doc, pos, nullptr, pair_words_.get());
    text.add(an, a.name, kTitleWeight, std::string(prefix::kAuthorName));
    text.add_latin(an, a.name, kTitleWeight, std::string(prefix::kAuthorName));
    text.add(an, a.name, 1, std::string(prefix::kTitle));
    if (a.affiliation) text.add(an, *a.affiliation, 1);
    for (const auto& topic : a.topics) text.add(an, topic, 2);
    if (!bio.empty()) text.add(an, bio, 1);
    doc.add_boolean_term(std::string(prefix::kUnique) + b.unique);
    doc.add_boolean_term(unit_term(schema::RecordType::kAuthor, a.id));
    doc.add_boolean_term(std::string(prefix::kType) + "author");
    doc.add_boolean_term(std::string(prefix::kId) + a.id);
    doc.add_boolean_term(std::string(prefix::kAuthor) + a.id);
    if (!lang.empty()) doc.add_boolean_term(std::string(prefix::kLang) + lang);
    doc.add_value(slot::kCollapse, "u:" + a.id);
    doc.add_value(slot::kAuthors, a.id);
    doc.add_value(slot::kLang, lang);
    doc.add_value(slot::kFingerprint, author_fingerprint(a, lang));
    json data = {{"type", "author"}, {"id", a.id}, {"lang", lang}, {"languages", langs}, {"title", a.name}};
    if (a.honorific) data["honorific"] = *a.honorific;
    doc.set_data(data.dump());
    out.push_back(std::move(b));
  }
  return out;
}

std::map<std::string, std::string> DocumentBuilder::fingerprints(const schema::Article& a,
                                                                 const std::vector<schema::Author>& authors) {
  std::map<std::string, std::string> out;
  const std::string shared = article_fingerprint_shared(a, authors);
  for (const auto& [lang, t] : a.translations) out["a:" + a.id + "/" + lang] = article_fingerprint(shared, t);
  return out;
}

std::map<std::string, std::string> DocumentBuilder::fingerprints(const schema::Author& a) {
  std::map<std::string, std::string> out;
  if (a.bio.empty()) out["u:" + a.id + "/"] = author_fingerprint(a, "");
  for (const auto& [lang, bio] : a.bio) out["u:" + a.id + "/" + lang] = author_fingerprint(a, lang);
  return out;
}

// ---- Pair words ---------------------------------------------------------------------

std::string PairWordsInfo::to_metadata() const {
  json j = {{"sampled_documents", sampled_documents}, {"percent", percent}, {"words", json::array()}};
  std::vector<std::string> sorted(words.begin(), words.end());
  std::sort(sorted.begin(), sorted.end());
  for (const auto& w : sorted) j["words"].push_back(w);
  return j.dump();
}

PairWordsInfo PairWordsInfo::from_metadata(const std::string& value) {
  PairWordsInfo info;
  if (value.empty()) return info;
  json j = json::parse(value, nullptr, false);
  if (!j.is_object()) return info;
  info.present = true;
  info.sampled_documents = j.value("sampled_documents", std::uint64_t{0});
  info.percent = j.value("percent", 0u);
  for (const auto& w : j.value("words", json::array()))
    if (w.is_string()) info.words.insert(w.get<std::string>());
  return info;
}

PairWordsInfo sample_pair_words(const archive::Snapshot& reader, DocumentBuilder& builder) {
  PairWordsInfo info;
  info.present = true;
  info.percent = kPairWordPercent;
  auto stats = reader.stats();
  std::uint64_t step = std::max<std::uint64_t>(1, stats.articles / kPairWordSample);
  std::vector<std::string> ids;
  std::uint64_t i = 0;
  Status s = reader.for_each_article([&](const schema::Article& a) {
    if (i++ % step == 0) ids.push_back(a.id);
    return true;
  }, false);
  if (!s.ok()) return info;
  std::unordered_map<std::string, std::uint64_t> df;
  std::unordered_set<std::string> seen;
  for (const auto& id : ids) {
    auto a = reader.article(id);
    if (!a.ok()) continue;
    for (const auto& [lang, t] : a->translations) {
      seen.clear();
      auto add = [&](const Word& w) {
        if (!w.cjk && w.term.size() <= kMaxWordBytes) seen.insert(w.term);
      };
      Analyzer& an = builder.analyzer(lang);
      an.words(t.title, add);
      an.words(plain_text(t.body), add);
      for (const auto& w : seen) ++df[w];
      ++info.sampled_documents;
    }
  }
  if (info.sampled_documents < kPairWordMinDocuments) return info;
  for (const auto& [w, n] : df)
    if (n * 100 >= info.sampled_documents * kPairWordPercent) info.words.insert(w);
  return info;
}

void DocumentBuilder::set_pair_words(std::shared_ptr<const PairWords> words) { pair_words_ = std::move(words); }

}  // namespace defter::indexer
