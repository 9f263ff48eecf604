// The search API's values as JSON, and the sort orders by name.
#include <nlohmann/json.hpp>

#include "defter/indexer/gazetteer.hpp"
#include "defter/indexer/search.hpp"

namespace defter::indexer {

using nlohmann::json;

json to_json(const SearchResponse& r) {
  const auto& gazetteer = Gazetteer::instance();
  json hits = json::array();
  for (const auto& h : r.hits) {
    json authors = json::array();
    for (const auto& [id, name] : h.authors) authors.push_back({{"id", id}, {"name", name}});
    // The shape of an article view's countries: the subjects, then those
    // the version shown only mentions, each named in the request's ui_lang.
    json countries = json::array();
    for (const auto& code : h.subject_countries)
      countries.push_back({{"code", code}, {"name", gazetteer.label(code, r.ui_lang)}, {"subject", true}});
    for (const auto& code : h.mentioned_countries)
      countries.push_back({{"code", code}, {"name", gazetteer.label(code, r.ui_lang)}, {"subject", false}});
    json hit = {{"type", h.type},       {"id", h.id},         {"lang", h.lang},       {"languages", h.languages},
                {"title", h.title},     {"snippet", h.snippet}, {"published", h.published}, {"authors", authors},
                {"countries", std::move(countries)},
                {"score", h.score}};
    hits.push_back(std::move(hit));
  }
  json facets = json::object();
  for (const auto& [name, values] : r.facets) {
    json list = json::array();
    for (const auto& v : values) {
      json j = {{"value", v.value}, {"label", v.label}, {"count", v.count}, {"selected", v.selected}};
      if (name == "country") {
        j["subject"] = v.subject;
        j["mentioned"] = v.mentioned;
      }
      list.push_back(std::move(j));
    }
    facets[name] = std::move(list);
  }
  return {{"query", {{"text", r.query.text}, {"understood", r.query.understood}, {"plain_words", r.query.plain_words},
                     {"notes", r.query.notes}}},
          {"total", r.total},
          {"total_exact", r.total_exact},
          {"page", r.page},
          {"size", r.size},
          {"hits", std::move(hits)},
          {"facets", std::move(facets)},
          {"suggestion", r.suggestion.empty() ? json(nullptr) : json(r.suggestion)},
          {"timings_ms", {{"parse", r.timings.parse_ms}, {"match", r.timings.match_ms}, {"facets", r.timings.facets_ms},
                          {"snippets", r.timings.snippets_ms}, {"total", r.timings.total_ms}}}};
}

json to_json(const std::vector<Suggestion>& suggestions) {
  json out = json::array();
  for (const auto& s : suggestions) out.push_back({{"kind", s.kind}, {"text", s.text}, {"value", s.value}});
  return out;
}

std::optional<SortOrder> parse_sort(const std::string& name) {
  if (name == "relevance") return SortOrder::kRelevance;
  if (name == "newest") return SortOrder::kNewest;
  if (name == "oldest") return SortOrder::kOldest;
  return std::nullopt;
}

}  // namespace defter::indexer
