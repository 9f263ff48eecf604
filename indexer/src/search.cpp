#include "defter/indexer/search.hpp"

#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <optional>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "defter/indexer/analysis.hpp"
#include "defter/indexer/gazetteer.hpp"
#include "defter/indexer/index_schema.hpp"
#include "document.hpp"
#include "facets.hpp"
#include "index_files.hpp"
#include "labels.hpp"
#include "match_deciders.hpp"
#include "parallel_count.hpp"
#include "query.hpp"
#include "query_parts.hpp"
#include "snippet.hpp"
#include "wildcard.hpp"

namespace defter::indexer {
namespace {

using namespace detail;
using nlohmann::json;
using query::Node;

constexpr std::size_t kMaxOffset = 10000;  // results a page may start at (deep paging costs memory)
constexpr std::uint64_t kFewResults = 3;    // fewer than this and a spelling suggestion is looked for

}  // namespace

// ---- Searcher ------------------------------------------------------------------

struct Searcher::Impl {
  IndexOptions options;
  archive::Archive* archive = nullptr;
  Xapian::Database db;
  Xapian::Database counter;  // the counting thread's reader, at db's revision
  std::string generation;
  std::vector<std::string> languages;  // of the index's documents (L terms)
  std::map<std::string, std::unique_ptr<Analyzer>> analyzers, helper_analyzers;
  std::map<std::string, std::shared_ptr<const PrefixMatches>> expansions;  // of the search running
  std::map<std::string, bool> term_in_languages;  // of the search running: "langs\0term" -> found
  std::map<std::string, std::vector<std::string>> word_countries_cache;
  FacetTable table;  // of db's current revision
  // Authors' display names for the author facet, read from the archive
  // once per revision of the index (a renamed author is reindexed).
  std::unordered_map<std::string, std::string> author_names;
  PairWords pair_words;  // of the index (document.hpp)
  // When the search running must end (SearchRequest::budget).
  Clock::time_point deadline_at = Clock::time_point::max();
  ExcludeArticles nothing_excluded;

  Status open() {
    generation = current_generation(options.dir);
    if (generation.empty()) return Status(Code::kNotFound, "no index in " + options.dir.string() + " (run defter index)");
    for (int attempt = 0;; ++attempt) {
      try {
        db = open_live(options.dir);
        counter = open_live(options.dir);
        if (counter.get_revision() != db.get_revision()) {  // a commit in between
          if (attempt >= 10) return Status(Code::kIOError, "open the index: it keeps changing; try again");
          continue;
        }
        load_derived();
        return {};
      } catch (const Xapian::DatabaseModifiedError&) {
        if (attempt >= 3) return Status(Code::kIOError, "open the index: it keeps changing; try again");
      } catch (const Xapian::Error& e) {
        return from_xapian(e, "open the index in " + options.dir.string());
      }
    }
  }

  // What is read once per revision of the index: its languages, the facet table.
  void load_derived() {
    pair_words = PairWordsInfo::from_metadata(db.get_metadata(std::string(meta::kPairWords))).words;
    load_languages();
    table.load(db);
    author_names.clear();
  }

  void load_languages() {
    languages.clear();
    std::string l(prefix::kLang);
    for (auto t = db.allterms_begin(l); t != db.allterms_end(l); ++t) languages.push_back((*t).substr(l.size()));
  }

  // The analyzers of this thread and of a search's second thread (an
  // Analyzer is for one thread).
  Analyzer& analyzer(const std::string& lang) { return analyzer_in(analyzers, lang); }
  Analyzer& helper_analyzer(const std::string& lang) { return analyzer_in(helper_analyzers, lang); }
  static Analyzer& analyzer_in(std::map<std::string, std::unique_ptr<Analyzer>>& set, const std::string& lang) {
    auto& a = set[lang];
    if (!a) a = std::make_unique<Analyzer>(lang);
    return *a;
  }
  // Words beginning with `prefix` (a term prefix and the word's start), the
  // most frequent kMaxExpansion of them; expanded once per search.
  Xapian::Query wildcard(const std::string& prefix) {
    auto& m = expansions[prefix];
    if (!m) m = expand_prefix(db, prefix);
    if (m->docs.empty()) return Xapian::Query::MatchNothing;
    return Xapian::Query((new PrefixSource(m))->release());
  }

  bool exists(const std::string& t) { return db.term_exists(t); }

  // Countries one word of the query names, in any language the index holds,
  // by the forms the recogniser knows ("Казахстана", "Kazakistan'ın") or a
  // Latin transliteration of a name ("Kazahstan").
  const std::vector<std::string>& word_countries(const std::string& text) {
    auto it = word_countries_cache.find(text);
    if (it != word_countries_cache.end()) return it->second;
    if (word_countries_cache.size() > 10000) word_countries_cache.clear();
    std::set<std::string> codes;
    for (const auto& c : Gazetteer::instance().lookup(text))
      if (text.size() > 2) codes.insert(c);  // two letters are a code only in country:
    for (const auto& lang : languages_and_english()) {
      auto found = Gazetteer::instance().word_codes(text, lang);
      codes.insert(found.begin(), found.end());
    }
    return word_countries_cache[text] = std::vector<std::string>(codes.begin(), codes.end());
  }

  std::set<std::string> languages_and_english() const {
    std::set<std::string> langs;
    for (const auto& l : languages) langs.insert(l.substr(0, l.find('-')));
    langs.insert("en");
    return langs;
  }

  // Checks and resolves the fields of the tree; "" when all are readable,
  // else why not.
  std::string resolve(Node& n) {
    for (auto& c : n.children)
      if (auto why = resolve(c); !why.empty()) return why;
    if (n.kind != Node::Kind::kField) return "";
    const std::string& v = n.text;
    if (n.field == "country") {
      n.resolved = Gazetteer::instance().lookup(v);
      if (n.resolved.empty()) n.resolved = word_countries(v);
      if (n.resolved.empty()) return "country:" + v + " is not a country name or code I know";
    } else if (n.field == "lang") {
      std::string want = query::lower_ascii(v);
      for (const auto& l : languages) {
        std::string have = query::lower_ascii(l);
        if (have == want || have.rfind(want + "-", 0) == 0) n.resolved.push_back(l);
      }
      if (n.resolved.empty()) n.resolved.push_back(v);  // matches nothing, honestly
    } else if (n.field == "type") {
      std::string t = query::lower_ascii(v);
      if (t == "articles") t = "article";
      if (t == "authors" || t == "bio" || t == "biography") t = "author";
      if (t != "article" && t != "author") return "type:" + v + " is neither article nor author";
      n.resolved = {t};
    } else if (n.field == "date" || n.field == "year") {
      query::DateRange r;
      if (!query::parse_date_range(v, n.field == "year", r))
        return n.field + ":" + v + " is not a " + (n.field == "year" ? "year or range of years (2020..2023)"
                                                                      : "date or range of dates (2023-01..2023-06)");
      n.resolved = {r.from, r.to};
    } else if (n.field == "author") {
      if (!n.wildcard && exists(term(prefix::kAuthor, v))) n.resolved = {v};
    } else if (n.field == "cites") {
      std::string exact = source_term(v);
      if (exists(exact)) {
        n.resolved = {exact};
      } else {
        for (auto t = db.allterms_begin(exact); t != db.allterms_end(exact) && n.resolved.size() < kMaxExpansion; ++t)
          n.resolved.push_back(*t);
      }
    }
    return "";
  }

  // A CJK run as Xapian's n-grams, as the indexer's TermGenerator made them.
  Xapian::Query cjk_query(const std::string& run, const std::string& pfx, bool phrase) {
    Xapian::QueryParser qp;
    unsigned flags = Xapian::QueryParser::FLAG_CJK_NGRAM | Xapian::QueryParser::FLAG_PHRASE;
    return qp.parse_query(phrase ? "\"" + run + "\"" : run, flags, pfx);
  }

  // Words of a text as a query in one language: each word by its folded
  // form or its stem; with a prefix for fields (title, author name).
  Xapian::Query words_query(const Analyzer& an, const std::string& text, const std::string& pfx, bool last_is_prefix,
                            bool by_stem = true) {
    std::vector<Word> words = an.analyze(text);
    std::vector<Xapian::Query> parts;
    for (std::size_t i = 0; i < words.size(); ++i) {
      const Word& w = words[i];
      if (w.cjk) {
        parts.push_back(cjk_query(w.term, pfx, false));
        continue;
      }
      if (last_is_prefix && i + 1 == words.size()) {
        parts.push_back(wildcard(pfx + w.term));
        continue;
      }
      // A word with a stem is searched by its stems alone: every text this
      // analyzer indexed holds the stem wherever it holds the word (English
      // passages elsewhere are reached by the English part of the query).
      // As Xapian's own STEM_SOME does, and half the postings to merge.
      std::vector<Xapian::Query> forms;
      for (const std::string* stem : {&w.stem, &w.stem_alt})
        if (by_stem && !stem->empty()) forms.emplace_back(std::string(prefix::kStem) + pfx + *stem);
      if (forms.empty()) forms.emplace_back(pfx + w.term);
      parts.push_back(forms.size() == 1 ? forms[0] : Xapian::Query(Xapian::Query::OP_SYNONYM, forms.begin(), forms.end()));
    }
    return and_queries(parts);
  }

  Xapian::Query phrase_query(const Analyzer& an, const std::string& text) {
    std::vector<Xapian::Query> parts;
    std::vector<std::string> words;
    for (const auto& w : an.analyze(text)) {
      if (w.cjk) parts.push_back(cjk_query(w.term, "", true));
      else words.push_back(w.term);
    }
    if (words.size() == 1) {
      parts.emplace_back(words[0]);
    } else if (words.size() > 1) {
      // Adjacent pair words by their pair terms: two are one posting list;
      // with more words, the pairs narrow the documents whose positions are
      // checked.
      std::vector<std::string> adjacent;
      for (std::size_t i = 0; i + 1 < words.size(); ++i)
        if (pair_words.count(words[i]) && pair_words.count(words[i + 1])) adjacent.push_back(pair_term(words[i], words[i + 1]));
      Xapian::Query phrase(Xapian::Query::OP_PHRASE, words.begin(), words.end(), static_cast<Xapian::termcount>(words.size()));
      if (words.size() == 2 && adjacent.size() == 1) parts.emplace_back(adjacent[0]);
      else if (adjacent.empty()) parts.push_back(phrase);
      else
        parts.emplace_back(Xapian::Query::OP_FILTER, phrase, Xapian::Query(Xapian::Query::OP_AND, adjacent.begin(), adjacent.end()));
    }
    return and_queries(parts);
  }

  // A word written in a script other than Latin also as its Latin
  // transliteration (latin_folded), as names are indexed: "Башаран" finds
  // Başaran, "Соколова" an author written Sokolova.
  Xapian::Query with_latin(Xapian::Query q, const std::string& text, const std::string& pfx) {
    if (q.empty()) return q;
    std::string latin = latin_folded(text);
    if (latin.empty() || latin == fold(text)) return q;
    std::vector<Xapian::Query> words;
    for (const auto& w : latin_words(latin)) words.emplace_back(pfx + w);
    if (words.empty()) return q;
    return Xapian::Query(Xapian::Query::OP_OR, q, Xapian::Query(Xapian::Query::OP_AND, words.begin(), words.end()));
  }

  Xapian::Query with_countries(Xapian::Query q, const std::vector<std::string>& codes) {
    if (codes.empty() || q.empty()) return q;
    std::vector<std::string> terms;
    for (const auto& c : codes) terms.push_back(term(prefix::kCountry, c));
    return Xapian::Query(Xapian::Query::OP_OR, q, boolean(or_terms(terms)));
  }

  // A node as a query in one language; none when it holds nothing to search
  // for (punctuation); an empty Query when it can match nothing.
  std::optional<Xapian::Query> compile(const Node& n, const Analyzer& an) {
    switch (n.kind) {
      case Node::Kind::kWord: {
        Xapian::Query q = with_latin(words_query(an, n.text, "", false), n.text, "");
        if (q.empty()) return std::nullopt;
        const auto& codes = word_countries(n.text);
        // A name that is also a word of this language (Turkish "sudan",
        // "mali"): written with a capital it asks for the country, and the
        // word in this language's texts is not it; in lower case it asks
        // for the word.
        if (!codes.empty() && Gazetteer::instance().common_word(n.text, an.lang())) {
          if (!query::starts_with_capital(n.text)) return q;
          std::vector<std::string> terms;
          for (const auto& c : codes) terms.push_back(term(prefix::kCountry, c));
          return boolean(or_terms(terms));
        }
        return with_countries(q, codes);
      }
      case Node::Kind::kPhrase: {
        Xapian::Query q = phrase_query(an, n.text);
        if (q.empty()) return std::nullopt;
        return with_countries(q, Gazetteer::instance().lookup(n.text));
      }
      case Node::Kind::kWildcard: {
        std::string p = fold(n.text);
        if (p.empty()) return std::nullopt;
        return wildcard(p);
      }
      case Node::Kind::kField: return compile_field(n, an);
      case Node::Kind::kAnd: {
        std::vector<Xapian::Query> pos, neg;
        for (const auto& c : n.children)
          if (auto q = compile(c, an)) (c.negated ? neg : pos).push_back(*q);
        if (pos.empty() && neg.empty()) return std::nullopt;
        // A word said twice is one posting list to read, weighted twice.
        std::vector<std::pair<std::string, int>> seen;
        std::vector<Xapian::Query> unique;
        for (const auto& q : pos) {
          std::string d = q.get_description();
          auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == d; });
          if (it != seen.end()) {
            ++it->second;
            continue;
          }
          seen.emplace_back(std::move(d), 1);
          unique.push_back(q);
        }
        pos.clear();
        for (std::size_t i = 0; i < unique.size(); ++i)
          pos.push_back(seen[i].second == 1 ? unique[i] : Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, unique[i], seen[i].second));
        Xapian::Query p = pos.empty()       ? match_all()
                          : pos.size() == 1 ? pos[0]
                                            : Xapian::Query(Xapian::Query::OP_AND, pos.begin(), pos.end());
        if (neg.empty()) return p;
        return Xapian::Query(Xapian::Query::OP_AND_NOT, p, Xapian::Query(Xapian::Query::OP_OR, neg.begin(), neg.end()));
      }
      case Node::Kind::kOr: {
        std::vector<Xapian::Query> parts;
        for (const auto& c : n.children)
          if (auto q = compile(c, an))
            parts.push_back(c.negated ? Xapian::Query(Xapian::Query::OP_AND_NOT, match_all(), *q) : *q);
        if (parts.empty()) return std::nullopt;
        return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
      }
    }
    return std::nullopt;
  }

  Xapian::Query compile_field(const Node& n, const Analyzer& an) {
    const auto& r = n.resolved;
    std::vector<std::string> terms;
    if (n.field == "title") return words_query(an, n.text, std::string(prefix::kTitle), n.wildcard);
    if (n.field == "author") {
      if (!r.empty()) return boolean(Xapian::Query(term(prefix::kAuthor, r[0])));
      if (n.wildcard) return words_query(an, n.text, std::string(prefix::kAuthorName), true);
      return with_latin(words_query(an, n.text, std::string(prefix::kAuthorName), false), n.text, std::string(prefix::kAuthorName));
    }
    if (n.field == "country")
      for (const auto& c : r) terms.push_back(term(prefix::kCountry, c));
    if (n.field == "lang")
      for (const auto& l : r) terms.push_back(term(prefix::kLang, l));
    if (n.field == "type") terms.push_back(term(prefix::kType, r.at(0)));
    if (n.field == "cites") terms = r;
    if (n.field == "date" || n.field == "year") return boolean(date_range(r.at(0), r.at(1)));
    return boolean(or_terms(terms));
  }

  // The query text across languages: parsed once per language of the index
  // with its analysis, each part filtered to its language, the parts OR-ed.
  // Languages whose parts come out the same share one part.
  // What a search remembers while it runs (its queries are compiled once per pass).
  void forget_search() {
    expansions.clear();
    term_in_languages.clear();
  }

  // Terms every document matching q holds (some, not necessarily all).
  static void required_terms(const Xapian::Query& q, std::vector<std::string>& out) {
    switch (q.get_type()) {
      case Xapian::Query::LEAF_TERM:
        out.push_back(*q.get_terms_begin());
        break;
      case Xapian::Query::OP_AND:
      case Xapian::Query::OP_FILTER:
      case Xapian::Query::OP_PHRASE:
      case Xapian::Query::OP_NEAR:
        for (std::size_t i = 0; i < q.get_num_subqueries(); ++i) required_terms(q.get_subquery(i), out);
        break;
      case Xapian::Query::OP_AND_NOT:
      case Xapian::Query::OP_AND_MAYBE:
        if (q.get_num_subqueries() > 0) required_terms(q.get_subquery(0), out);
        break;
      default:
        break;
    }
  }

  // False when no document in one of `langs` can match q: the rarest term
  // q requires is in none of them. A Latin word is rarely in a Chinese
  // text, and the Chinese group of a query of Latin words otherwise costs
  // a whole intersection of posting lists that finds nothing.
  bool may_match_in(const Xapian::Query& q, const std::vector<std::string>& langs) {
    std::vector<std::string> terms;
    required_terms(q, terms);
    if (terms.empty()) return true;
    std::string rarest;
    Xapian::doccount fewest = 0;
    for (const auto& t : terms) {
      Xapian::doccount f = db.get_termfreq(t);
      if (f == 0) return false;
      if (rarest.empty() || f < fewest) rarest = t, fewest = f;
    }
    std::string key;
    for (const auto& l : langs) key += l + ",";
    key += '\0' + rarest;
    auto [it, added] = term_in_languages.emplace(key, false);
    if (!added) return it->second;
    std::vector<bool> wanted(table.langs.size(), false);
    for (const auto& l : langs)
      if (auto id = table.langs.find(l); id != FacetTable::kNone) wanted[id] = true;
    for (auto p = db.postlist_begin(rarest); p != db.postlist_end(rarest); ++p) {
      const FacetTable::Doc* d = table.doc(*p);
      if (d && d->lang != FacetTable::kNone && wanted[d->lang]) return it->second = true;
    }
    return false;
  }

  std::optional<Xapian::Query> across_languages(const Node& root) {
    std::set<std::string> langs(languages.begin(), languages.end());
    langs.insert("en");  // authors without a biography are indexed as English
    std::map<std::string, std::pair<Xapian::Query, std::vector<std::string>>> groups;
    for (const auto& lang : langs) {
      auto q = compile(root, analyzer(lang));
      if (!q) return std::nullopt;  // nothing to search for, in any language
      auto& g = groups[q->get_description()];
      g.first = *q;
      g.second.push_back(lang);
    }
    if (groups.size() == 1) return groups.begin()->second.first;
    std::vector<Xapian::Query> parts;
    for (auto& [desc, g] : groups) {
      if (g.first.empty()) continue;
      std::vector<std::string> filter;
      bool english = false;
      for (const auto& l : g.second) {
        filter.push_back(term(prefix::kLang, l));
        english |= l == "en";
      }
      Xapian::Query f = or_terms(filter);
      if (english) {
        // English passages inside other languages' texts, and authors
        // without a biography (no language term). When the group holds most
        // of the index, the documents of the other languages without an
        // English passage are left out instead: fewer postings to merge.
        std::vector<std::string> all, others;
        Xapian::doccount in = 0, out = 0;
        for (const auto& l : languages) {
          all.push_back(term(prefix::kLang, l));
          bool mine = std::find(g.second.begin(), g.second.end(), l) != g.second.end();
          (mine ? in : out) += db.get_termfreq(all.back());
          if (!mine) others.push_back(all.back());
        }
        Xapian::Query passages(term(prefix::kPassageLang, "en"));
        if (out < in) {
          Xapian::Query foreign = others.empty() ? Xapian::Query() : Xapian::Query(Xapian::Query::OP_AND_NOT, or_terms(others), passages);
          parts.push_back(foreign.empty() ? g.first : Xapian::Query(Xapian::Query::OP_AND_NOT, g.first, foreign));
          continue;
        }
        Xapian::Query no_lang(Xapian::Query::OP_AND_NOT, Xapian::Query(term(prefix::kType, "author")), or_terms(all));
        std::vector<Xapian::Query> reach = {f, passages, no_lang};
        f = Xapian::Query(Xapian::Query::OP_OR, reach.begin(), reach.end());
      }
      if (english || may_match_in(g.first, g.second)) parts.emplace_back(Xapian::Query::OP_FILTER, g.first, f);
    }
    if (parts.empty()) return Xapian::Query();
    return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
  }

  // What to highlight in a text of `lang`.
  void collect_highlight(const Node& n, const Analyzer& an, Highlight& h) {
    if (n.negated) return;
    auto add_words = [&](const std::string& text, bool stems, int group) {
      for (const auto& w : an.analyze(text)) {
        if (w.cjk) {
          h.cjk.emplace_back(w.term, group);
          continue;
        }
        h.terms.emplace(w.term, group);
        if (stems && !w.stem.empty()) h.stems.emplace(w.stem, group);
        if (stems && !w.stem_alt.empty()) h.stems.emplace(w.stem_alt, group);
      }
    };
    switch (n.kind) {
      case Node::Kind::kWord: {
        int group = h.groups++;
        add_words(n.text, true, group);
        // A country the word names, by its one-word names in this text's language.
        for (const auto& code : word_countries(n.text))
          for (const std::string& lang : {an.lang(), std::string("en")})
            for (const auto& name : Gazetteer::instance().names(code, lang))
              if (auto words = an.analyze(name); words.size() == 1) add_words(name, true, group);
        break;
      }
      case Node::Kind::kPhrase: add_words(n.text, false, h.groups++); break;
      case Node::Kind::kWildcard: h.prefixes.emplace_back(fold(n.text), h.groups++); break;
      case Node::Kind::kField:
        if (n.field == "title") {
          if (n.wildcard) h.prefixes.emplace_back(fold(n.text), h.groups++);
          else add_words(n.text, true, h.groups++);
        }
        break;
      default:
        for (const auto& c : n.children) collect_highlight(c, an, h);
    }
  }

  // The request as queries; `exclusions`: also find the articles the
  // query's top-level exclusions leave out (a search of its own).
  Result<Compiled> compile_request(const SearchRequest& req, Node& root, bool exclusions = true) {
    Compiled c;
    c.deadline = std::make_shared<Deadline>(deadline_at, c.exclude.get());
    c.by_relevance = query::has_positive(root);
    c.text = across_languages(root);
    if (!c.text && !root.children.empty()) c.text = Xapian::Query();  // words, but none to search for
    // Top-level exclusions leave out whole articles.
    Node excluded;
    excluded.kind = Node::Kind::kOr;
    for (const auto& child : root.children)
      if (child.negated) {
        excluded.children.push_back(child);
        excluded.children.back().negated = false;
      }
    if (exclusions && root.kind == Node::Kind::kAnd && !excluded.children.empty())
      if (auto q = across_languages(excluded); q && !q->empty()) {
        KeySpy spy(c.exclude->keys);
        Xapian::Enquire e(db);
        e.set_weighting_scheme(Xapian::BoolWeight());
        e.set_query(*q);
        e.add_matchspy(&spy);
        Deadline deadline(deadline_at, &nothing_excluded);
        e.get_mset(0, 0, check_limit(), nullptr, &deadline);
      }
    for (const auto& [facet, values] : req.filters) {
      if (values.empty()) continue;
      std::vector<std::string> terms;
      for (const auto& v : values) {
        if (facet == "country") {
          auto codes = Gazetteer::instance().lookup(v);
          if (codes.empty())
            return Status(Code::kInvalidArgument, "filter country: \"" + v + "\" is not a country name or code");
          for (const auto& code : codes) {
            terms.push_back(term(prefix::kCountry, code));
            c.selected[facet].insert(code);
          }
          continue;
        } else if (facet == "year") {
          query::DateRange r;
          if (v.size() != 4 || !query::parse_date_range(v, true, r))
            return Status(Code::kInvalidArgument, "filter year: \"" + v + "\" is not a year (YYYY)");
          terms.push_back(term(prefix::kYear, v));
        } else if (facet == "month") {
          query::DateRange r;
          if (v.size() != 7 || !query::parse_date_range(v, false, r))
            return Status(Code::kInvalidArgument, "filter month: \"" + v + "\" is not a month (YYYY-MM)");
          terms.push_back(term(prefix::kMonth, v.substr(0, 4) + v.substr(5, 2)));
        } else if (facet == "author") {
          terms.push_back(term(prefix::kAuthor, v));
        } else if (facet == "lang") {
          terms.push_back(term(prefix::kLang, v));
        } else if (facet == "type") {
          if (v != "article" && v != "author")
            return Status(Code::kInvalidArgument, "filter type: \"" + v + "\" is neither article nor author");
          terms.push_back(term(prefix::kType, v));
        } else {
          return Status(Code::kInvalidArgument, "unknown filter \"" + facet + "\" (country, year, month, author, lang, type)");
        }
        c.selected[facet].insert(v);
      }
      c.filters[facet] = or_terms(terms);
    }
    query::DateRange r;
    if (!req.from.empty() || !req.to.empty()) {
      std::string spec = req.from + ".." + req.to;
      if (!query::parse_date_range(spec, false, r))
        return Status(Code::kInvalidArgument, "date range \"" + spec + "\": from and to must be dates (YYYY, YYYY-MM or YYYY-MM-DD), from before to");
      c.range = date_range(r.from, r.to);
    }
    return c;
  }

  Xapian::doccount check_limit() {
    return static_cast<Xapian::doccount>(std::min<std::uint64_t>(std::max<Xapian::doccount>(1, db.get_doccount()), kExactCountLimit));
  }

  // Runs a search once (the caller retries when the database moved on).
  SearchResponse run(const SearchRequest& req_in, query::Parsed parsed, bool or_fallback) {
    forget_search();
    SearchResponse resp;
    auto t0 = Clock::now();
    SearchRequest req = req_in;
    req.size = std::clamp<std::size_t>(req.size, 1, kMaxPageSize);
    req.page = std::max<std::size_t>(1, req.page);
    resp.page = req.page;
    resp.size = req.size;
    resp.query.text = req.query;
    resp.query.plain_words = parsed.plain_words;
    resp.query.notes = parsed.notes;
    Node& root = parsed.root;
    if (auto why = resolve(root); !why.empty()) {
      std::string text = req.query;
      query::sanitize_utf8(text);
      std::vector<std::string> notes;
      root = query::plain_words(text, kMaxQueryWords, notes);
      resp.query.plain_words = true;
      resp.query.notes.push_back(why + ": searched for the plain words");
    }
    if (or_fallback) {
      root.kind = Node::Kind::kOr;
      resp.query.notes.push_back("no result has every word: showing results with any of them");
    }
    resp.query.understood = query::describe(root);
    auto compiled = compile_request(req, root);
    if (!compiled.ok()) throw compiled.status();
    const Compiled& c = *compiled;
    resp.timings.parse_ms = ms_since(t0);

    // Counting and ranking are separate passes: counting must see every
    // match (BoolWeight, no ranking), ranking only the best (Xapian stops
    // early). The counts (every facet without a selection in one pass, one
    // pass for each facet with a selection, counted as if its own filter
    // were absent) run on a second thread with its own reader while this
    // one ranks and makes the snippets, then both take what is left.
    auto t1 = Clock::now();
    std::set<std::string> wanted(req.facets.begin(), req.facets.end());
    bool single_year = (req.filters.count("year") && req.filters.at("year").size() == 1) ||
                       (req.from.size() >= 4 && req.to.size() >= 4 && req.from.compare(0, 4, req.to, 0, 4) == 0);
    if (!single_year) wanted.erase("month");
    std::set<std::string> plain;
    std::vector<CountTask> counts(1);
    auto compiled_again = [&] { return compile_request(req, root, false).value(); };  // a query of its own
    counts[0].query = compiled_again().all();
    for (const auto& f : wanted) {
      auto it = req.filters.find(f);
      if (it == req.filters.end() || it->second.empty()) {
        plain.insert(f);
        continue;
      }
      counts.emplace_back();
      counts.back().facet = f;
      counts.back().query = compiled_again().without(f);
    }
    counts[0].spy = std::make_unique<FacetSpy>(table, plain);
    for (std::size_t i = 1; i < counts.size(); ++i)
      counts[i].spy = std::make_unique<FacetSpy>(table, std::set<std::string>{counts[i].facet});
    // One facet with a selection: one pass, without its filter, counts it
    // and feeds the rest the documents the filter keeps.
    if (counts.size() == 2 && counts[1].spy->feed(*counts[0].spy, counts[1].facet, c.selected.at(counts[1].facet))) {
      counts[1].plain = std::move(counts[0].spy);
      counts[1].plain_query = std::move(counts[0].query);
      counts.erase(counts.begin());
    }
    Xapian::doccount check = check_limit();
    SharedWork work(counts, check, c.decider());
    work.start(counter);

    SortOrder sort = req.sort;
    if (sort == SortOrder::kRelevance && !c.by_relevance) sort = SortOrder::kNewest;
    if (c.text && c.text->empty() && !root.children.empty())
      resp.query.notes.push_back("the query has no words to search for");
    std::size_t offset = std::min((req.page - 1) * req.size, kMaxOffset);
    if ((req.page - 1) * req.size > kMaxOffset)
      resp.query.notes.push_back("pages start at most " + std::to_string(kMaxOffset) + " results in: narrow the search");
    std::vector<Xapian::Document> docs;
    std::vector<double> weights;
    {
      Xapian::Enquire enquire(db);
      enquire.set_query(c.all());
      OldestFirst oldest;
      if (sort == SortOrder::kNewest) enquire.set_sort_by_value_then_relevance(slot::kDateStart, true);  // no date: last
      if (sort == SortOrder::kOldest) enquire.set_sort_by_key_then_relevance(&oldest, false);
      // Collapsed here rather than by Xapian (whose collapser compares keys
      // as strings for every matching document): the first offset + size
      // articles lie within the first (offset + size) x (most documents of
      // one record) documents, and the first document of each is its
      // best-ranked. Asked first for a few more documents than articles
      // (the fewer asked for, the sooner Xapian can stop), and for all
      // that bound only when those held too few articles.
      std::size_t needed = offset + req.size;
      std::size_t bound = needed * table.max_documents_per_key();
      for (std::size_t ask = std::min(bound, needed + needed / 2 + 5);; ask = bound) {
        Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(ask), 0, nullptr, c.decider());
        std::unordered_set<std::uint32_t> keys;
        std::size_t distinct = 0;
        docs.clear();
        weights.clear();
        for (auto it = mset.begin(); it != mset.end() && distinct < needed; ++it) {
          const FacetTable::Doc* d = table.doc(*it);
          if (d && !keys.insert(d->key).second) continue;
          if (distinct++ < offset) continue;
          docs.push_back(it.get_document());
          weights.push_back(it.get_weight());
        }
        if (distinct >= needed || mset.size() < ask || ask == bound) break;
      }
    }
    resp.timings.match_ms = ms_since(t1);

    // The hits, each in the preferred language when that translation
    // matches too; their snippets made on both threads.
    auto t2 = Clock::now();
    prefer_languages(req, c, docs);
    auto snap = archive->snapshot();
    std::map<std::string, Highlight> highlights;  // by language; read-only once published
    for (std::size_t i = 0; i < docs.size(); ++i) {
      resp.hits.push_back(hit_of(docs[i], weights[i]));
      std::string lang = resp.hits.back().lang.empty() ? "en" : resp.hits.back().lang;
      if (!highlights.count(lang)) {
        collect_highlight(root, analyzer(lang), highlights[lang]);
        set_initials(highlights[lang]);
      }
    }
    std::optional<Result<archive::Snapshot>> helper_snap;  // opened by the helper thread
    work.publish(resp.hits.size(), [&](std::size_t i, bool helper) {
      Hit& h = resp.hits[i];
      std::string lang = h.lang.empty() ? "en" : h.lang;
      if (helper && !helper_snap) helper_snap.emplace(archive->snapshot());
      auto& reader = helper ? *helper_snap : snap;
      if (reader.ok()) add_text(h, *reader, highlights.at(lang), req, helper ? helper_analyzer(lang) : analyzer(lang));
      else h.title = escape_html(h.title);
    });
    work.finish(db);  // rethrows what the other thread met
    auto ms_between = [](Clock::time_point from, Clock::time_point to) {
      return std::max(0.0, std::chrono::duration<double, std::milli>(to - from).count());
    };
    resp.timings.snippets_ms = ms_between(t2, work.snippets_done());

    auto t3 = Clock::now();
    const FacetSpy& spy = counts[0].plain ? *counts[0].plain : *counts[0].spy;
    Xapian::doccount estimated = counts[0].plain ? counts[0].plain_estimated : counts[0].estimated;
    resp.total_exact = spy.docs() < check || check >= db.get_doccount();
    resp.total = resp.total_exact ? spy.keys()
                                  : static_cast<std::uint64_t>(static_cast<double>(estimated) *
                                                               static_cast<double>(spy.keys()) /
                                                               static_cast<double>(std::max<std::uint64_t>(1, spy.docs())));
    for (const auto& f : wanted) {
      const FacetSpy* s = &spy;
      for (const auto& t : counts)
        if (t.facet == f) s = t.spy.get();
      resp.facets[f] = facet_values(f, *s, req, snap.ok() ? &*snap : nullptr);
    }
    resp.timings.facets_ms = ms_between(t1, work.counts_done()) + ms_since(t3);
    resp.timings.total_ms = ms_since(t0);
    return resp;
  }

  void prefer_languages(const SearchRequest& req, const Compiled& c, std::vector<Xapian::Document>& docs) {
    if (req.languages.empty() || docs.empty()) return;
    auto rank = [&](const std::string& lang) {
      auto it = std::find(req.languages.begin(), req.languages.end(), lang);
      return it == req.languages.end() ? req.languages.size() : static_cast<std::size_t>(it - req.languages.begin());
    };
    std::vector<std::string> ids, langs;
    for (const auto& d : docs)
      if (rank(d.get_value(slot::kLang)) != 0) ids.push_back(term(prefix::kId, d.get_value(slot::kCollapse)));
    if (ids.empty()) return;
    for (const auto& l : req.languages) langs.push_back(term(prefix::kLang, l));
    Xapian::Enquire e(db);
    e.set_query(Xapian::Query(Xapian::Query::OP_FILTER, c.all(),
                              Xapian::Query(Xapian::Query::OP_AND, or_terms(ids), or_terms(langs))));
    Xapian::MSet better =
        e.get_mset(0, static_cast<Xapian::doccount>(ids.size() * langs.size()), 0, nullptr, c.decider());
    std::map<std::string, Xapian::Document> best;  // collapse key -> the most preferred matching translation
    for (auto it = better.begin(); it != better.end(); ++it) {
      Xapian::Document d = it.get_document();
      std::string key = d.get_value(slot::kCollapse);
      auto b = best.find(key);
      if (b == best.end() || rank(d.get_value(slot::kLang)) < rank(b->second.get_value(slot::kLang))) best[key] = d;
    }
    for (auto& d : docs) {
      auto b = best.find(d.get_value(slot::kCollapse));
      if (b != best.end() && rank(b->second.get_value(slot::kLang)) < rank(d.get_value(slot::kLang))) d = b->second;
    }
  }

  static Hit hit_of(const Xapian::Document& doc, double weight) {
    Hit h;
    json data = json::parse(doc.get_data(), nullptr, false);
    if (data.is_discarded() || !data.is_object()) return h;
    h.type = data.value("type", "");
    h.id = data.value("id", "");
    h.lang = data.value("lang", "");
    h.languages = data.value("languages", std::vector<std::string>{});
    h.title = data.value("title", "");
    h.published = data.value("published", "");
    if (data.contains("authors"))
      for (const auto& a : data["authors"]) h.authors.emplace_back(a.value("id", ""), a.value("name", ""));
    if (data.contains("countries")) {
      h.subject_countries = data["countries"].value("subject", std::vector<std::string>{});
      h.mentioned_countries = data["countries"].value("mentioned", std::vector<std::string>{});
    }
    h.score = weight;
    return h;
  }

  // Title highlighted, and a snippet of the body (or biography) from the archive.
  void add_text(Hit& h, const archive::Reader& reader, const Highlight& hl, const SearchRequest& req, const Analyzer& an) {
    std::string body;
    if (h.type == "article") {
      auto b = reader.translation_body(h.id, h.lang);
      if (b.ok()) body = plain_text(*b);
    } else if (auto a = reader.author(h.id); a.ok()) {
      auto b = a->bio.find(h.lang);
      if (b != a->bio.end()) body = plain_text(b->second);
      else if (a->affiliation) body = *a->affiliation;
    }
    h.title = highlight_all(an, h.title, hl, req.highlight);
    h.snippet = snippet(an, body, hl, req.snippet_chars, req.highlight);
  }

  std::vector<FacetValue> facet_values(const std::string& facet, const FacetSpy& spy, const SearchRequest& req,
                                       const archive::Reader* reader) {
    std::vector<FacetValue> out;
    std::set<std::string> selected;
    if (auto it = req.filters.find(facet); it != req.filters.end())
      for (const auto& v : it->second) {
        if (facet == "country") {
          for (const auto& c : Gazetteer::instance().lookup(v)) selected.insert(c);
        } else {
          selected.insert(v);
        }
      }
    for (const auto& [value, count] : spy.counts(facet)) {
      FacetValue f;
      f.value = value;
      f.count = count;
      out.push_back(std::move(f));
    }
    for (const auto& s : selected)
      if (std::none_of(out.begin(), out.end(), [&](const FacetValue& f) { return f.value == s; })) out.push_back({s, "", 0});
    if (facet == "year") {
      std::sort(out.begin(), out.end(), [](const FacetValue& a, const FacetValue& b) { return a.value > b.value; });
    } else if (facet == "month") {
      std::sort(out.begin(), out.end(), [](const FacetValue& a, const FacetValue& b) { return a.value < b.value; });
    } else {
      std::sort(out.begin(), out.end(), [](const FacetValue& a, const FacetValue& b) {
        return a.count != b.count ? a.count > b.count : a.value < b.value;
      });
    }
    // The first facet_size values, and every selected one.
    std::vector<FacetValue> kept;
    for (auto& f : out) {
      f.selected = selected.count(f.value) > 0;
      if (kept.size() < req.facet_size || f.selected) kept.push_back(std::move(f));
    }
    for (auto& f : kept) {
      if (facet == "country") {
        f.label = Gazetteer::instance().label(f.value, req.ui_lang);
        f.subject = spy.subject(f.value);
        f.mentioned = spy.mentioned(f.value);
      } else if (facet == "author") {
        auto known = author_names.find(f.value);
        if (known != author_names.end()) {
          f.label = known->second;
        } else if (auto a = reader ? reader->author(f.value) : Result<schema::Author>(Status(Code::kNotFound, ""));
                   a.ok()) {
          f.label = author_names[f.value] = a->name;
        } else {
          f.label = f.value;  // not remembered: the archive may have it soon
        }
      } else if (facet == "lang") {
        f.label = language_label(f.value, req.ui_lang);
      } else if (facet == "month") {
        f.label = month_label(f.value, req.ui_lang);
      } else {
        f.label = f.value;
      }
    }
    return kept;
  }

  // "Did you mean": the query with each word the index does not know
  // replaced by the spelling dictionary's nearest word.
  std::string spelling(const SearchRequest& req, const Node& root) {
    std::string text = req.query;
    query::sanitize_utf8(text);
    std::vector<std::pair<const Node*, std::string>> fixes;
    std::function<void(const Node&)> walk = [&](const Node& n) {
      if (n.negated) return;
      if (n.kind == Node::Kind::kWord && n.end <= text.size()) {
        auto words = analyzer("en").analyze(n.text);
        if (words.size() != 1 || words[0].cjk) return;
        if (exists(words[0].term)) return;
        std::string s = db.get_spelling_suggestion(words[0].lower, 2);
        if (!s.empty() && s != words[0].lower) fixes.emplace_back(&n, s);
      }
      for (const auto& c : n.children) walk(c);
    };
    walk(root);
    if (fixes.empty()) return "";
    std::sort(fixes.begin(), fixes.end(), [](const auto& a, const auto& b) { return a.first->begin > b.first->begin; });
    for (const auto& [n, s] : fixes) text.replace(n->begin, n->end - n->begin, s);
    return text;
  }

  std::uint64_t count(const std::string& text) {
    query::Parsed p = query::parse(text, kMaxQueryWords);
    if (!resolve(p.root).empty()) return 0;
    forget_search();
    auto q = across_languages(p.root);
    if (!q || q->empty()) return 0;
    Xapian::Enquire e(db);
    e.set_query(*q);
    return e.get_mset(0, 0, 1000).get_matches_estimated();
  }
};

Searcher::Searcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Searcher::~Searcher() = default;

Result<std::unique_ptr<Searcher>> Searcher::open(const IndexOptions& options, archive::Archive& archive) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->archive = &archive;
  if (auto s = impl->open(); !s.ok()) return s;
  return std::unique_ptr<Searcher>(new Searcher(std::move(impl)));
}

Status Searcher::refresh() {
  try {
    if (current_generation(impl_->options.dir) != impl_->generation) return impl_->open();
    if (impl_->db.reopen()) impl_->load_derived();
    impl_->counter.reopen();
    if (impl_->counter.get_revision() != impl_->db.get_revision()) return impl_->open();  // a commit in between
  } catch (const Xapian::DatabaseModifiedError&) {
    return impl_->open();  // moved on again while being read: start afresh
  } catch (const Xapian::DatabaseOpeningError&) {
    return impl_->open();  // a reindex switched and removed the generation just now
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "reopen the index");
  }
  return {};
}

std::uint64_t Searcher::documents() const { return impl_->db.get_doccount(); }

namespace {

// Runs fn, reopening the index and trying again when a writer moved it on
// under the reader (Xapian keeps a reader's view for one revision only).
template <class Fn>
auto retrying(Searcher& searcher, const char* what, Fn&& fn) -> decltype(fn()) {
  for (int attempt = 0;; ++attempt) {
    try {
      return fn();
    } catch (const Status& s) {
      return s;
    } catch (const TimedOut&) {
      return Status(Code::kTimeout, std::string(what) + ": took longer than its time budget");
    } catch (const Xapian::DatabaseModifiedError&) {
      if (attempt >= 3) return Status(Code::kIOError, std::string(what) + ": the index keeps changing; try again");
      if (auto s = searcher.refresh(); !s.ok()) return s;
    } catch (const Xapian::Error& e) {
      return from_xapian(e, what);
    }
  }
}

}  // namespace

Result<SearchResponse> Searcher::search(const SearchRequest& request) {
  impl_->deadline_at = request.budget.count() > 0 ? Clock::now() + request.budget : Clock::time_point::max();
  struct Reset {
    Clock::time_point& at;
    ~Reset() { at = Clock::time_point::max(); }
  } reset{impl_->deadline_at};
  return retrying(*this, "search the index", [&]() -> Result<SearchResponse> {
    query::Parsed parsed = query::parse(request.query, kMaxQueryWords);
    SearchResponse resp = impl_->run(request, parsed, false);
    // Words none of which is written with an operator, and no result has
    // them all: the results with any of them.
    bool words_only = std::all_of(parsed.root.children.begin(), parsed.root.children.end(), [](const Node& n) {
      return !n.negated && (n.kind == Node::Kind::kWord || n.kind == Node::Kind::kPhrase || n.kind == Node::Kind::kWildcard);
    });
    if (resp.total == 0 && parsed.root.kind == Node::Kind::kAnd && parsed.root.children.size() > 1 && words_only &&
        !parsed.operators && !resp.query.plain_words) {
      SearchResponse any = impl_->run(request, parsed, true);
      if (any.total > 0) resp = std::move(any);
    }
    if (resp.total < kFewResults && !request.query.empty()) {
      query::Parsed again = query::parse(request.query, kMaxQueryWords);
      std::string s = impl_->spelling(request, again.root);
      if (!s.empty() && impl_->count(s) > resp.total) resp.suggestion = s;
    }
    return resp;
  });
}

Result<ArticleCountries> Searcher::countries(const std::string& article_id) {
  return retrying(*this, "read an article's countries", [&]() -> Result<ArticleCountries> {
    ArticleCountries out;
    std::set<std::string> subject, mentioned;
    auto& db = impl_->db;
    impl_->forget_search();
    std::string id_term = term(prefix::kId, article_id);
    for (auto it = db.postlist_begin(id_term); it != db.postlist_end(id_term); ++it) {
      json data = json::parse(db.get_document(*it).get_data(), nullptr, false);
      if (!data.is_object() || data.value("type", "") != "article" || !data.contains("countries")) continue;
      out.indexed = true;
      for (const auto& c : data["countries"].value("subject", json::array())) subject.insert(c.get<std::string>());
      for (const auto& c : data["countries"].value("mentioned", json::array())) mentioned.insert(c.get<std::string>());
    }
    out.subject.assign(subject.begin(), subject.end());
    for (const auto& c : mentioned)
      if (!subject.count(c)) out.mentioned.push_back(c);
    return out;
  });
}

Result<std::vector<Suggestion>> Searcher::suggest(const std::string& prefix_in, std::size_t limit, const std::string& ui_lang) {
  std::string text = prefix_in;
  query::sanitize_utf8(text);
  if (text.size() > 200) text.resize(200);
  if (text.find_first_not_of(" \t") == std::string::npos || limit == 0) return std::vector<Suggestion>{};
  limit = std::min<std::size_t>(limit, 50);
  return retrying(*this, "complete from the index", [&]() -> Result<std::vector<Suggestion>> {
    std::vector<Suggestion> out;
    auto& db = impl_->db;
    impl_->forget_search();
    // Countries in the index whose name in any language (or its Latin
    // transliteration) begins so, named in the reader's language.
    for (const auto& c : Gazetteer::instance().complete(text, 50, ui_lang)) {
      if (out.size() >= std::max<std::size_t>(1, limit / 3)) break;
      if (db.term_exists(term(prefix::kCountry, c.code))) out.push_back({"country", c.name, c.code});
    }
    const Analyzer& an = impl_->analyzer("en");
    auto add_docs = [&](const std::string& type, std::string_view pfx, std::size_t max) {
      // The language of a completion is unknown: whole words by their folded form.
      Xapian::Query q = impl_->words_query(an, text, std::string(pfx), true, false);
      if (q.empty()) return;
      Xapian::Enquire e(db);
      e.set_query(Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query(term(prefix::kType, type))));
      e.set_collapse_key(slot::kCollapse, 1);
      Xapian::MSet m = e.get_mset(0, static_cast<Xapian::doccount>(max));
      for (auto it = m.begin(); it != m.end(); ++it) {
        json data = json::parse(it.get_document().get_data(), nullptr, false);
        if (!data.is_object()) continue;
        out.push_back({type == "author" ? "author" : "title", data.value("title", ""), data.value("id", "")});
      }
    };
    add_docs("author", prefix::kAuthorName, std::max<std::size_t>(1, (limit - out.size()) / 2));
    add_docs("article", prefix::kTitle, limit - std::min(limit, out.size()));
    if (out.size() > limit) out.resize(limit);
    return out;
  });
}

}  // namespace defter::indexer
