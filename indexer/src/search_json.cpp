// The search API's values as JSON, and the sort orders by name.
#include <nlohmann/json.hpp>

#include "defter/indexer/gazetteer.hpp"
#include "defter/indexer/search.hpp"
#include "defter/schema/json_text.hpp"

namespace defter::indexer {

using nlohmann::json;

namespace {

// A JSON text written in order: keys are given sorted, as nlohmann::json
// (a std::map) dumps them.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  Writer& key(std::string_view k) {
    comma();
    schema::append_json_string_utf8(out_, k);
    out_ += ':';
    first_ = true;
    return *this;
  }
  void text(std::string_view s) {
    comma();
    schema::append_json_string(out_, s);
  }
  void number(std::uint64_t n) {
    comma();
    out_ += std::to_string(n);
  }
  void number(double d) {
    comma();
    schema::append_json_number(out_, d);
  }
  void boolean(bool b) {
    comma();
    out_ += b ? "true" : "false";
  }
  void null() {
    comma();
    out_ += "null";
  }
  void texts(const std::vector<std::string>& v) {
    open('[');
    for (const auto& s : v) text(s);
    close(']');
  }
  void open(char c) {
    comma();
    out_ += c;
    first_ = true;
  }
  void close(char c) {
    out_ += c;
    first_ = false;
  }

 private:
  // A comma before every value but an object's or array's first (and a
  // value right after its key).
  void comma() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

void write_hit(Writer& w, const Hit& h, const std::string& ui_lang) {
  const auto& gazetteer = Gazetteer::instance();
  w.open('{');
  w.key("authors").open('[');
  for (const auto& [id, name] : h.authors) {
    w.open('{');
    w.key("id").text(id);
    w.key("name").text(name);
    w.close('}');
  }
  w.close(']');
  // The shape of an article view's countries: the subjects, then those
  // the version shown only mentions, each named in the request's ui_lang.
  w.key("countries").open('[');
  for (const auto* codes : {&h.subject_countries, &h.mentioned_countries})
    for (const auto& code : *codes) {
      w.open('{');
      w.key("code").text(code);
      w.key("name").text(gazetteer.label(code, ui_lang));
      w.key("subject").boolean(codes == &h.subject_countries);
      w.close('}');
    }
  w.close(']');
  w.key("id").text(h.id);
  w.key("lang").text(h.lang);
  w.key("languages").texts(h.languages);
  w.key("published").text(h.published);
  w.key("score").number(h.score);
  w.key("snippet").text(h.snippet);
  w.key("title").text(h.title);
  w.key("type").text(h.type);
  w.close('}');
}

}  // namespace

std::string to_json_text(const SearchResponse& r) {
  std::string out;
  out.reserve(4096 + r.hits.size() * 1024);
  Writer w(out);
  w.open('{');
  w.key("facets").open('{');
  for (const auto& [name, values] : r.facets) {
    w.key(name).open('[');
    for (const auto& v : values) {
      bool country = name == "country";
      w.open('{');
      w.key("count").number(v.count);
      w.key("label").text(v.label);
      if (country) w.key("mentioned").number(v.mentioned);
      w.key("selected").boolean(v.selected);
      if (country) w.key("subject").number(v.subject);
      w.key("value").text(v.value);
      w.close('}');
    }
    w.close(']');
  }
  w.close('}');
  w.key("hits").open('[');
  for (const auto& h : r.hits) write_hit(w, h, r.ui_lang);
  w.close(']');
  w.key("page").number(static_cast<std::uint64_t>(r.page));
  w.key("query").open('{');
  w.key("notes").texts(r.query.notes);
  w.key("plain_words").boolean(r.query.plain_words);
  w.key("text").text(r.query.text);
  w.key("understood").text(r.query.understood);
  w.close('}');
  w.key("size").number(static_cast<std::uint64_t>(r.size));
  if (r.suggestion.empty()) w.key("suggestion").null();
  else w.key("suggestion").text(r.suggestion);
  w.key("timings_ms").open('{');
  w.key("facets").number(r.timings.facets_ms);
  w.key("match").number(r.timings.match_ms);
  w.key("parse").number(r.timings.parse_ms);
  w.key("snippets").number(r.timings.snippets_ms);
  w.key("total").number(r.timings.total_ms);
  w.close('}');
  w.key("total").number(r.total);
  w.key("total_exact").boolean(r.total_exact);
  w.close('}');
  return out;
}

json to_json(const SearchResponse& r) { return json::parse(to_json_text(r)); }

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
