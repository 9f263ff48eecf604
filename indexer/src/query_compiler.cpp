// Compiling a request: the query read once per language of the index, each
// word by its forms, stems, countries and Latin transliteration; fields and
// filters; what the snippets highlight.
#include "searcher_impl.hpp"

#include "defter/schema/text.hpp"

namespace defter::indexer {

// Words beginning with `prefix` (a term prefix and the word's start), the
// most frequent kMaxExpansion of them; expanded once per search.
Xapian::Query Searcher::Impl::wildcard(const std::string& prefix) {
  auto& m = expansions[prefix];
  if (!m) m = expand_prefix(db, prefix);
  if (m->docs.empty()) return Xapian::Query::MatchNothing;
  return Xapian::Query((new PrefixSource(m))->release());
}

bool Searcher::Impl::exists(const std::string& t) {
  return db.term_exists(t);
}

// Countries one word of the query names, in any language the index holds,
// by the forms the recogniser knows ("Казахстана", "Kazakistan'ın") or a
// Latin transliteration of a name ("Kazahstan").
const std::vector<std::string>& Searcher::Impl::word_countries(const std::string& text) {
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

std::set<std::string> Searcher::Impl::languages_and_english() const {
  std::set<std::string> langs;
  for (const auto& l : languages) langs.insert(l.substr(0, l.find('-')));
  langs.insert("en");
  return langs;
}

// Checks and resolves the fields of the tree; "" when all are readable,
// else why not.
std::string Searcher::Impl::resolve(Node& n) {
  for (auto& c : n.children)
    if (auto why = resolve(c); !why.empty()) return why;
  if (n.kind != Node::Kind::kField) return "";
  const std::string& v = n.text;
  const Field* f = find_field(n.field);
  if (!f) return "";  // the parser admits only the table's names
  switch (f->id) {
    case FieldId::kCountry:
      n.resolved = Gazetteer::instance().lookup(v);
      if (n.resolved.empty()) n.resolved = word_countries(v);
      if (n.resolved.empty()) return "country:" + v + " is not a country name or code I know";
      break;
    case FieldId::kLang: {
      std::string want = query::lower_ascii(v);
      for (const auto& l : languages) {
        std::string have = query::lower_ascii(l);
        if (have == want || have.rfind(want + "-", 0) == 0) n.resolved.push_back(l);
      }
      if (n.resolved.empty()) n.resolved.push_back(v);  // matches nothing, honestly
      break;
    }
    case FieldId::kType: {
      std::string t = query::lower_ascii(v);
      if (t == "articles") t = "article";
      if (t == "authors" || t == "bio" || t == "biography") t = "author";
      if (t != "article" && t != "author") return "type:" + v + " is neither article nor author";
      n.resolved = {t};
      break;
    }
    case FieldId::kDate:
    case FieldId::kYear:
    case FieldId::kMonth: {
      bool year = f->id == FieldId::kYear;
      query::DateRange r;
      if (!query::parse_date_range(v, year, r))
        return n.field + ":" + v + " is not a " + (year ? "year or range of years (2020..2023)"
                                                         : "date or range of dates (2023-01..2023-06)");
      n.resolved = {r.from, r.to};
      break;
    }
    case FieldId::kAuthor:
      if (!n.wildcard && exists(term(f->prefix, v))) n.resolved = {v};
      break;
    case FieldId::kCites: {
      std::string exact = source_term(v);
      if (exists(exact)) {
        n.resolved = {exact};
      } else {
        for (auto t = db.allterms_begin(exact); t != db.allterms_end(exact) && n.resolved.size() < kMaxExpansion; ++t)
          n.resolved.push_back(*t);
      }
      break;
    }
    case FieldId::kTitle:
      break;
  }
  return "";
}

// A CJK run as Xapian's n-grams, as the indexer's TermGenerator made them.
Xapian::Query Searcher::Impl::cjk_query(const std::string& run, const std::string& pfx, bool phrase) {
  Xapian::QueryParser qp;
  unsigned flags = Xapian::QueryParser::FLAG_CJK_NGRAM | Xapian::QueryParser::FLAG_PHRASE;
  return qp.parse_query(phrase ? "\"" + run + "\"" : run, flags, pfx);
}

// Words of a text as a query in one language: each word by its folded
// form or its stem; with a prefix for fields (title, author name).
Xapian::Query Searcher::Impl::words_query(const Analyzer& an, const std::string& text, const std::string& pfx, bool last_is_prefix,
                          bool by_stem) {
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

Xapian::Query Searcher::Impl::phrase_query(const Analyzer& an, const std::string& text) {
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
Xapian::Query Searcher::Impl::with_latin(Xapian::Query q, const std::string& text, const std::string& pfx) {
  if (q.empty()) return q;
  std::string latin = latin_folded(text);
  if (latin.empty() || latin == fold(text)) return q;
  std::vector<Xapian::Query> words;
  for (const auto& w : latin_words(latin)) words.emplace_back(pfx + w);
  if (words.empty()) return q;
  return Xapian::Query(Xapian::Query::OP_OR, q, Xapian::Query(Xapian::Query::OP_AND, words.begin(), words.end()));
}

// A word that names a country also finds the texts about or mentioning the
// country in any language. Such a match weighs as a word found once would
// (kCountryMatchWeight), not nothing: a hit found only that way has a
// score in every order, and ranks after the texts holding the word itself.
Xapian::Query Searcher::Impl::with_countries(Xapian::Query q, const std::vector<std::string>& codes) {
  if (codes.empty() || q.empty()) return q;
  std::vector<std::string> terms;
  for (const auto& c : codes) terms.push_back(term(prefix::kCountry, c));
  // Owned by the query (release()): each compiled query has its own.
  Xapian::Query weight((new Xapian::FixedWeightPostingSource(kCountryMatchWeight))->release());
  return Xapian::Query(Xapian::Query::OP_OR, q, Xapian::Query(Xapian::Query::OP_FILTER, weight, or_terms(terms)));
}

// A node as a query in one language; none when it holds nothing to search
// for (punctuation); an empty Query when it can match nothing.
std::optional<Xapian::Query> Searcher::Impl::compile(const Node& n, const Analyzer& an) {
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

Xapian::Query Searcher::Impl::compile_field(const Node& n, const Analyzer& an) {
  const auto& r = n.resolved;
  const Field& f = *find_field(n.field);  // resolve() passed it
  std::string text_prefix(f.text_prefix);
  std::vector<std::string> terms;
  switch (f.id) {
    case FieldId::kTitle:
      return words_query(an, n.text, text_prefix, n.wildcard);
    case FieldId::kAuthor:
      // An id the index knows selects; else the words of a name are searched.
      if (!r.empty()) return boolean(Xapian::Query(term(f.prefix, r[0])));
      if (n.wildcard) return words_query(an, n.text, text_prefix, true);
      return with_latin(words_query(an, n.text, text_prefix, false), n.text, text_prefix);
    case FieldId::kDate:
    case FieldId::kYear:
    case FieldId::kMonth:
      return boolean(date_range(r.at(0), r.at(1)));
    case FieldId::kCites:
      terms = r;  // resolve() found the terms themselves
      break;
    case FieldId::kCountry:
    case FieldId::kLang:
    case FieldId::kType:
      for (const auto& v : r) terms.push_back(term(f.prefix, v));
      break;
  }
  return boolean(or_terms(terms));
}

// Terms every document matching q holds (some, not necessarily all).
void Searcher::Impl::required_terms(const Xapian::Query& q, std::vector<std::string>& out) {
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
bool Searcher::Impl::may_match_in(const Xapian::Query& q, const std::vector<std::string>& langs) {
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

// The documents a language group's part may match: those in its languages;
// for a group with English also English passages inside other languages'
// texts, and authors without a biography (no language term). Made once per
// revision of the index from the posting lists, then a filter that costs an
// array lookup a candidate. As an OR of the language terms' posting lists,
// merged for every candidate, it made Xapian count a one-word query 3.6x
// slower than unfiltered; defter's ranking stage is 8% faster without it
// (tools/bench/README.md, Search).
std::shared_ptr<const DocSet> Searcher::Impl::language_set(const std::vector<std::string>& langs) {
  std::string key;
  for (const auto& l : langs) key += l + '\n';
  auto& set = language_sets[key];
  if (set) return set;
  std::vector<bool> member(static_cast<std::size_t>(db.get_lastdocid()) + 1), any_lang(member.size());
  auto mark = [&](const std::string& term, std::vector<bool>& bits) {
    for (auto p = db.postlist_begin(term); p != db.postlist_end(term); ++p) bits[*p] = true;
  };
  bool english = false;
  for (const auto& l : langs) {
    mark(term(prefix::kLang, l), member);
    english |= l == "en";
  }
  if (english) {
    mark(term(prefix::kPassageLang, "en"), member);
    for (const auto& l : languages) mark(term(prefix::kLang, l), any_lang);
    std::string author = term(prefix::kType, "author");
    for (auto p = db.postlist_begin(author); p != db.postlist_end(author); ++p)
      if (!any_lang[*p]) member[*p] = true;
  }
  set = std::make_shared<const DocSet>(member);
  return set;
}

// The query text across languages: parsed once per language of the index
// with its analysis, each part filtered to its language, the parts OR-ed.
// Languages whose parts come out the same share one part.
std::optional<Xapian::Query> Searcher::Impl::across_languages(const Node& root) {
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
    bool english = std::find(g.second.begin(), g.second.end(), "en") != g.second.end();
    if (english || may_match_in(g.first, g.second))
      parts.emplace_back(Xapian::Query::OP_FILTER, g.first, Xapian::Query((new DocSetSource(language_set(g.second)))->release()));
  }
  if (parts.empty()) return Xapian::Query();
  return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
}

// An author filter names an author the archive has (as a country filter
// names a country): otherwise it says which ids are nearest.
Status Searcher::Impl::known_author(const std::string& id) {
  auto snap = archive->snapshot();
  if (!snap.ok() || snap->has_author(id)) return {};
  auto near = schema::nearest(id, snap->author_ids());
  return Status(Code::kInvalidArgument, "filter author: '" + id + "' is not an author's id in the archive" +
                                            (near.empty() ? "" : " (did you mean " + schema::one_of(near) + "?)"));
}

// What to highlight in a text of `lang`.
void Searcher::Impl::collect_highlight(const Node& n, const Analyzer& an, Highlight& h) {
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
Result<Compiled> Searcher::Impl::compile_request(const SearchRequest& req, Node& root, bool exclusions) {
  for (const auto& name : req.facets) {
    const Field* f = find_field(name);
    if (!f || !f->facet)
      return Status(Code::kInvalidArgument, "facets: '" + name + "' is not a facet (" + name_list(facet_names()) + ")");
  }
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
    const Field* f = find_field(facet);
    if (!f || !f->filter)
      return Status(Code::kInvalidArgument, "unknown filter '" + facet + "' (" + name_list(filter_names()) + ")");
    std::vector<std::string> terms;
    for (const auto& v : values) {
      auto got = filter_terms(*f, v);
      if (!got) return got.status();
      if (exclusions && f->id == FieldId::kAuthor)
        if (auto s = known_author(v); !s.ok()) return s;
      terms.insert(terms.end(), got->terms.begin(), got->terms.end());
      c.selected[facet].insert(got->selected.begin(), got->selected.end());
    }
    c.filters[facet] = or_terms(terms);
  }
  query::DateRange r;
  if (!req.from.empty() || !req.to.empty()) {
    std::string spec = req.from + ".." + req.to;
    if (!query::parse_date_range(spec, false, r))
      return Status(Code::kInvalidArgument, "date range '" + spec + "': from and to must be dates (YYYY, YYYY-MM or YYYY-MM-DD), from before to");
    c.range = date_range(r.from, r.to);
  }
  return c;
}

}  // namespace defter::indexer
