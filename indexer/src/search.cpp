#include "searcher_impl.hpp"

namespace defter::indexer {

Status Searcher::Impl::open() {
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
void Searcher::Impl::load_derived() {
  pair_words = PairWordsInfo::from_metadata(db.get_metadata(std::string(meta::kPairWords))).words;
  load_languages();
  table.load(db);
  language_sets.clear();
  author_names.clear();
}

void Searcher::Impl::load_languages() {
  languages.clear();
  std::string l(prefix::kLang);
  for (auto t = db.allterms_begin(l); t != db.allterms_end(l); ++t) languages.push_back((*t).substr(l.size()));
}

// The analyzers of this thread and of a search's second thread (an
// Analyzer is for one thread).
Analyzer& Searcher::Impl::analyzer(const std::string& lang) {
  return analyzer_in(analyzers, lang);
}

Analyzer& Searcher::Impl::helper_analyzer(const std::string& lang) {
  return analyzer_in(helper_analyzers, lang);
}

Analyzer& Searcher::Impl::analyzer_in(std::map<std::string, std::unique_ptr<Analyzer>>& set, const std::string& lang) {
  auto& a = set[lang];
  if (!a) a = std::make_unique<Analyzer>(lang);
  return *a;
}

// What a search remembers while it runs (its queries are compiled once per pass).
void Searcher::Impl::forget_search() {
  expansions.clear();
  term_in_languages.clear();
}

Xapian::doccount Searcher::Impl::check_limit() {
  return static_cast<Xapian::doccount>(std::min<std::uint64_t>(std::max<Xapian::doccount>(1, db.get_doccount()), kExactCountLimit));
}

// Runs a search once (the caller retries when the database moved on).
SearchResponse Searcher::Impl::run(const SearchRequest& req_in, query::Parsed parsed, bool or_fallback) {
  forget_search();
  SearchResponse resp;
  auto t0 = Clock::now();
  SearchRequest req = req_in;
  req.size = std::clamp<std::size_t>(req.size, 1, kMaxPageSize);
  req.page = std::max<std::size_t>(1, req.page);
  resp.page = req.page;
  resp.size = req.size;
  resp.ui_lang = req.ui_lang;
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
    else if (!req.plain_text) h.title = escape_html(h.title);
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

void Searcher::Impl::prefer_languages(const SearchRequest& req, const Compiled& c, std::vector<Xapian::Document>& docs) {
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

Hit Searcher::Impl::hit_of(const Xapian::Document& doc, double weight) {
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
void Searcher::Impl::add_text(Hit& h, const archive::Reader& reader, const Highlight& hl, const SearchRequest& req, const Analyzer& an) {
  std::string body;
  if (h.type == "article") {
    auto b = reader.translation_body(h.id, h.lang);
    if (b.ok()) body = plain_text(*b);
  } else if (auto a = reader.author(h.id); a.ok()) {
    auto b = a->bio.find(h.lang);
    if (b != a->bio.end()) body = plain_text(b->second);
    else if (a->affiliation) body = *a->affiliation;
  }
  const Markup markup = req.plain_text ? Markup::kText : req.highlight ? Markup::kMarked : Markup::kEscaped;
  h.title = highlight_all(an, h.title, hl, markup);
  h.snippet = snippet(an, body, hl, req.snippet_chars, markup);
}

// An author's name for the facet, remembered; the id while the archive
// does not (yet) have the author.
std::string Searcher::Impl::author_label(const std::string& id, const archive::Reader* reader) {
  if (auto known = author_names.find(id); known != author_names.end()) return known->second;
  if (!reader) return id;
  auto a = reader->author(id);
  if (!a.ok()) return id;
  return author_names[id] = a->name;
}

std::vector<FacetValue> Searcher::Impl::facet_values(const std::string& facet, const FacetSpy& spy, const SearchRequest& req,
                                     const archive::Reader* reader) {
  std::vector<FacetValue> out;
  std::set<std::string> selected;
  const Field& field = *find_field(facet);  // the request was checked against the table
  if (auto it = req.filters.find(facet); it != req.filters.end())
    for (const auto& v : it->second)
      if (auto got = filter_terms(field, v)) selected.insert(got->selected.begin(), got->selected.end());
  for (const auto& [value, count] : spy.counts(facet)) {
    FacetValue f;
    f.value = value;
    f.count = count;
    out.push_back(std::move(f));
  }
  for (const auto& s : selected)
    if (std::none_of(out.begin(), out.end(), [&](const FacetValue& f) { return f.value == s; })) out.push_back({s, "", 0});
  if (field.id == FieldId::kYear) {
    // Newest first, the undated last.
    std::sort(out.begin(), out.end(), [](const FacetValue& a, const FacetValue& b) {
      bool au = a.value == kUndated, bu = b.value == kUndated;
      return au != bu ? bu : a.value > b.value;
    });
  } else if (field.id == FieldId::kMonth) {
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
    switch (field.id) {
      case FieldId::kCountry:
        f.label = Gazetteer::instance().label(f.value, req.ui_lang);
        f.subject = spy.subject(f.value);
        f.mentioned = spy.mentioned(f.value);
        break;
      case FieldId::kAuthor:
        f.label = author_label(f.value, reader);
        break;
      case FieldId::kLang:
        f.label = language_label(f.value, req.ui_lang);
        break;
      case FieldId::kMonth:
        f.label = month_label(f.value, req.ui_lang);
        break;
      case FieldId::kYear:
        f.label = f.value == kUndated ? undated_label(req.ui_lang) : f.value;
        break;
      default:
        f.label = f.value;
    }
  }
  return kept;
}

// "Did you mean": the query with each word the index does not know
// replaced by the spelling dictionary's nearest word.
std::string Searcher::Impl::spelling(const SearchRequest& req, const Node& root) {
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

std::uint64_t Searcher::Impl::count(const std::string& text) {
  query::Parsed p = query::parse(text, kMaxQueryWords);
  if (!resolve(p.root).empty()) return 0;
  forget_search();
  auto q = across_languages(p.root);
  if (!q || q->empty()) return 0;
  Xapian::Enquire e(db);
  e.set_query(*q);
  return e.get_mset(0, 0, 1000).get_matches_estimated();
}

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
