// The read handlers over the index: search, suggest, facets, stats.
#include "api_impl.hpp"

namespace defter::httpd {

indexer::SearchRequest ApiWorker::Impl::search_request(const Params& params) {
  // The filters are the field table's (indexer/fields.hpp), each a parameter.
  static const std::set<std::string> kAccepted = [] {
    std::set<std::string> names = {"q",      "from",    "to",     "sort",       "page",      "size",         "prefer",
                                   "ui_lang", "facets", "facet_size", "highlight", "snippet_chars", "format"};
    names.insert(indexer::filter_names().begin(), indexer::filter_names().end());
    return names;
  }();
  Query q(params, kAccepted);
  indexer::SearchRequest req;
  req.query = q.get("q");
  if (req.query.size() > 10000) throw BadRequest{"parameter 'q' is longer than 10000 bytes"};
  for (const auto& f : indexer::filter_names())
    if (auto v = listed(q, f); !v.empty()) req.filters[f] = v;
  req.from = q.get("from");
  req.to = q.get("to");
  if (auto s = q.one("sort")) {
    auto order = indexer::parse_sort(*s);
    if (!order) throw BadRequest{"parameter 'sort' must be relevance, newest or oldest"};
    req.sort = *order;
  }
  req.page = q.number("page", 1, 1, 1000000);
  req.size = q.number("size", 10, 1, options.max_page_size);
  req.languages = listed(q, "prefer");
  req.ui_lang = q.get("ui_lang", "en");
  if (auto f = q.one("facets")) req.facets = listed(q, "facets");  // checked by the search (fields.hpp)
  req.facet_size = q.number("facet_size", req.facet_size, 1, options.max_facet_size);
  req.highlight = q.flag("highlight", true);
  if (auto f = q.one("format")) {
    if (*f != "html" && *f != "text") throw BadRequest{"parameter 'format' must be html or text"};
    req.plain_text = *f == "text";
  }
  req.snippet_chars = q.number("snippet_chars", req.snippet_chars, 0, 2000);
  req.budget = options.search_budget;
  return req;
}

Response ApiWorker::Impl::search(const Params& params) {
  indexer::SearchRequest req = search_request(params);
  auto* s = search_index();
  if (!s) return problem(Problem::kUnavailable, "the index is not built yet");
  auto r = s->search(req);
  if (!r) throw r.status();  // a filter value it does not take: 400 (problems.hpp)
  return json_text_response(indexer::to_json_text(*r));
}

Response ApiWorker::Impl::suggest(const Params& params) {
  Query q(params, {"q", "limit", "ui_lang"});
  auto text = q.one("q");
  if (!text) throw BadRequest{"parameter 'q' is required"};
  std::size_t limit = q.number("limit", 10, 1, 50);
  auto* s = search_index();
  if (!s) return problem(Problem::kUnavailable, "the index is not built yet");
  auto r = s->suggest(*text, limit, q.get("ui_lang", "en"));
  if (!r) throw r.status();
  return json_response(indexer::to_json(*r));
}

Response ApiWorker::Impl::facets(const Params& params) {
  Query q(params, {"ui_lang", "facet_size"});
  indexer::SearchRequest req;
  req.ui_lang = q.get("ui_lang", "en");
  req.facet_size = q.number("facet_size", options.max_facet_size, 1, options.max_facet_size);
  req.size = 1;
  req.highlight = false;
  req.budget = options.search_budget;
  auto* s = search_index();
  if (!s) return problem(Problem::kUnavailable, "the index is not built yet");
  auto r = s->search(req);
  if (!r) throw r.status();
  json full = indexer::to_json(*r);
  return json_response({{"total", full["total"]}, {"total_exact", full["total_exact"]}, {"facets", full["facets"]}});
}

Response ApiWorker::Impl::fields(const Params& params) {
  Query q(params, {});
  return json_response({{"fields", indexer::fields_json()}});
}

Response ApiWorker::Impl::stats(const Params& params) {
  Query q(params, {});
  auto snap = snapshot();
  auto ix = indexer::index_stats(index_options());
  return json_response(indexer::stats_json(snap.stats(), ix.ok() ? &*ix : nullptr));
}

}  // namespace defter::httpd
