#include "defter/httpd/api.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include <cmark.h>
#include <nlohmann/json.hpp>
#include <xxhash.h>

#include "defter/archive/importer.hpp"
#include "defter/httpd/tokens.hpp"
#include "defter/indexer/gazetteer.hpp"
#include "defter/schema/footnotes.hpp"
#include "defter/indexer/index.hpp"
#include "defter/schema/json_text.hpp"
#include "defter/schema/records.hpp"
#include "defter/schema/text.hpp"
#include "defter/schema/validate.hpp"
#include "openapi_document.hpp"
#include "web_assets.hpp"

namespace defter::httpd {
namespace {

using json = nlohmann::json;

struct ProblemInfo {
  http::status status;
  const char* slug;
  const char* title;
};

// The one table of problems: status, type and title.
ProblemInfo info(Problem p) {
  switch (p) {
    case Problem::kBadRequest: return {http::status::bad_request, "bad-request", "Bad request"};
    case Problem::kUnauthorized: return {http::status::unauthorized, "unauthorized", "Unauthorized"};
    case Problem::kForbidden: return {http::status::forbidden, "forbidden", "Forbidden"};
    case Problem::kNotFound: return {http::status::not_found, "not-found", "Not found"};
    case Problem::kMethodNotAllowed: return {http::status::method_not_allowed, "method-not-allowed", "Method not allowed"};
    case Problem::kConflict: return {http::status::conflict, "conflict", "Conflict"};
    case Problem::kStorageFull: return {http::status::insufficient_storage, "storage-full", "Insufficient storage"};
    case Problem::kLengthRequired: return {http::status::length_required, "length-required", "Length required"};
    case Problem::kPayloadTooLarge: return {http::status::payload_too_large, "payload-too-large", "Payload too large"};
    case Problem::kUriTooLong: return {http::status::uri_too_long, "uri-too-long", "URI too long"};
    case Problem::kHeadersTooLarge:
      return {http::status::request_header_fields_too_large, "headers-too-large", "Request header fields too large"};
    case Problem::kNotImplemented: return {http::status::not_implemented, "not-implemented", "Not implemented"};
    case Problem::kTooManyRequests: return {http::status::too_many_requests, "too-many-requests", "Too many requests"};
    case Problem::kUnavailable: return {http::status::service_unavailable, "unavailable", "Service unavailable"};
    case Problem::kInternal: return {http::status::internal_server_error, "internal", "Internal server error"};
  }
  return {http::status::internal_server_error, "internal", "Internal server error"};
}

// A request's parameters, decoded.
using Params = std::multimap<std::string, std::string>;

// Percent-decoding (and + as a space in a query string). nullopt when a %
// is not followed by two hex digits or the result is not UTF-8.
std::optional<std::string> decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int a = hex(s[i + 1]), b = hex(s[i + 2]);
      if (a < 0 || b < 0) return std::nullopt;
      out += static_cast<char>(a * 16 + b);
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  if (!schema::valid_utf8(out)) return std::nullopt;
  return out;
}

struct BadRequest {
  std::string detail;
};

struct Target {
  std::vector<std::string> segments;  // the path, decoded, split at '/'
  Params params;
};

Target parse_target(std::string_view target) {
  Target t;
  std::size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  if (path.empty() || path[0] != '/') throw BadRequest{"the request target must be an absolute path"};
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto seg = decode(path.substr(start, end - start), false);
    if (!seg) throw BadRequest{"the path has a bad percent-encoding or is not UTF-8"};
    if (*seg == "." || *seg == ".." || seg->find('/') != std::string::npos || seg->find('\0') != std::string::npos)
      throw BadRequest{"the path may not hold '.', '..', an encoded '/' or a NUL"};
    if (!seg->empty() || end < path.size()) t.segments.push_back(*seg);
    start = end + 1;
  }
  while (!t.segments.empty() && t.segments.back().empty()) t.segments.pop_back();  // a trailing slash
  if (q == std::string_view::npos) return t;
  std::string_view query = target.substr(q + 1);
  std::size_t p = 0;
  while (p <= query.size()) {
    std::size_t amp = query.find('&', p);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(p, amp - p);
    if (!pair.empty()) {
      std::size_t eq = pair.find('=');
      auto name = decode(pair.substr(0, eq), true);
      if (!name) throw BadRequest{"a parameter name has a bad percent-encoding or is not UTF-8"};
      auto value = decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
      if (!value) throw BadRequest{"parameter \"" + *name + "\" has a bad percent-encoding or is not UTF-8"};
      t.params.emplace(*name, *value);
    }
    p = amp + 1;
  }
  return t;
}

// Parameters by name, checked against the names a route accepts.
class Query {
 public:
  Query(const Params& params, const std::set<std::string>& allowed) : params_(params) {
    for (const auto& [name, v] : params)
      if (!allowed.count(name)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        throw BadRequest{"unknown parameter \"" + name + "\"" + (list.empty() ? "" : " (accepted: " + list + ")")};
      }
  }
  std::vector<std::string> all(const std::string& name) const {
    std::vector<std::string> out;
    auto [a, b] = params_.equal_range(name);
    for (auto it = a; it != b; ++it) out.push_back(it->second);
    return out;
  }
  std::optional<std::string> one(const std::string& name) const {
    auto [a, b] = params_.equal_range(name);
    if (a == b) return std::nullopt;
    if (std::next(a) != b) throw BadRequest{"parameter \"" + name + "\" may be given once"};
    return a->second;
  }
  std::string get(const std::string& name, const std::string& fallback = "") const { return one(name).value_or(fallback); }
  std::size_t number(const std::string& name, std::size_t fallback, std::size_t low, std::size_t high) const {
    auto v = one(name);
    if (!v) return fallback;
    std::size_t n = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || ptr != v->data() + v->size() || n < low || n > high)
      throw BadRequest{"parameter \"" + name + "\" must be a whole number from " + std::to_string(low) + " to " +
                       std::to_string(high)};
    return n;
  }
  bool flag(const std::string& name, bool fallback) const {
    auto v = one(name);
    if (!v) return fallback;
    if (*v == "true" || *v == "1") return true;
    if (*v == "false" || *v == "0") return false;
    throw BadRequest{"parameter \"" + name + "\" must be true or false"};
  }

 private:
  const Params& params_;
};

// Values given as repeated parameters or comma-separated in one.
std::vector<std::string> listed(const Query& q, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& v : q.all(name)) {
    std::size_t start = 0;
    while (start <= v.size()) {
      std::size_t end = v.find(',', start);
      if (end == std::string::npos) end = v.size();
      if (end > start) out.push_back(v.substr(start, end - start));
      start = end + 1;
    }
  }
  return out;
}

Response json_response(const json& body, http::status status = http::status::ok) {
  Response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return res;
}

std::string hash_hex(std::string_view s) {
  std::uint64_t h = XXH3_64bits(s.data(), s.size());
  static const char* digits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = digits[h & 0xF];
  return out;
}

}  // namespace

std::string commonmark_html(const std::string& text) {
  cmark_node* doc = cmark_parse_document(text.data(), text.size(), CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
  if (!doc) return {};
  std::vector<cmark_node*> raw;
  cmark_iter* it = cmark_iter_new(doc);
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    cmark_node* n = cmark_iter_get_node(it);
    auto type = cmark_node_get_type(n);
    if (ev == CMARK_EVENT_ENTER && (type == CMARK_NODE_HTML_BLOCK || type == CMARK_NODE_HTML_INLINE)) raw.push_back(n);
  }
  cmark_iter_free(it);
  for (cmark_node* n : raw) {
    const char* literal = cmark_node_get_literal(n);
    std::string content = literal ? literal : "";
    cmark_node* text_node = cmark_node_new(CMARK_NODE_TEXT);
    cmark_node* replacement = text_node;
    if (cmark_node_get_type(n) == CMARK_NODE_HTML_BLOCK) {
      while (!content.empty() && content.back() == '\n') content.pop_back();
      replacement = cmark_node_new(CMARK_NODE_PARAGRAPH);
      cmark_node_append_child(replacement, text_node);
    }
    cmark_node_set_literal(text_node, content.c_str());
    cmark_node_replace(n, replacement);
    cmark_node_free(n);
  }
  char* html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
  cmark_node_free(doc);
  if (!html) return {};
  std::string out(html);
  std::free(html);
  return out;
}

http::status problem_status(Problem p) { return info(p).status; }
std::string problem_type(Problem p) { return std::string("/api/v1/problems/") + info(p).slug; }

Response problem(Problem p, const std::string& detail, unsigned version, bool keep_alive) {
  ProblemInfo i = info(p);
  json body = {{"type", problem_type(p)}, {"title", i.title}, {"status", static_cast<int>(i.status)}, {"detail", detail}};
  Response res{i.status, version};
  res.set(http::field::content_type, "application/problem+json");
  res.body() = body.dump(-1, ' ', false, json::error_handler_t::replace);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

std::string etag_of(std::string_view body) { return "\"" + hash_hex(body) + "\""; }

bool etag_matches(std::string_view header, std::string_view etag) {
  std::size_t p = 0;
  while (p < header.size()) {
    std::size_t comma = header.find(',', p);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view item = header.substr(p, comma - p);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.rfind("W/", 0) == 0) item.remove_prefix(2);  // weak comparison, as If-None-Match asks
    if (item == "*" || item == etag) return true;
    p = comma + 1;
  }
  return false;
}

const std::string& openapi_document() {
  // schema/openapi.json with the record schemas it refers to by $id
  // (schema/json) embedded, so that the document stands alone.
  static const std::string kDocument = [] {
    json doc = json::parse(kOpenApiJson);
    for (auto name : schema::schema_names()) {
      json record = json::parse(schema::schema_text(name));
      std::string key = "Record_" + std::string(name.substr(0, name.find('.')));
      std::replace(key.begin(), key.end(), '-', '_');
      doc["components"]["schemas"][key] = std::move(record);
    }
    return doc.dump();
  }();
  return kDocument;
}

// ---- ApiWorker -------------------------------------------------------------

struct ApiWorker::Impl {
  ApiOptions options;
  archive::Archive& archive;
  std::unique_ptr<indexer::Searcher> searcher;

  Impl(const ApiOptions& o, archive::Archive& a) : options(o), archive(a) {}

  indexer::IndexOptions index_options() const {
    indexer::IndexOptions io;
    io.dir = options.data / "index";
    return io;
  }

  // The searcher at the index's latest commit; nullptr while there is no index.
  indexer::Searcher* search_index() {
    if (!searcher) {
      auto s = indexer::Searcher::open(index_options(), archive);
      if (!s) {
        if (s.status().code() == Code::kNotFound) return nullptr;
        throw s.status();
      }
      searcher = std::move(*s);
      return searcher.get();
    }
    if (auto st = searcher->refresh(); !st.ok()) throw st;
    return searcher.get();
  }

  archive::Snapshot snapshot() {
    auto snap = archive.snapshot();
    if (!snap) throw snap.status();
    return std::move(*snap);
  }

  Response search(const Params& params) {
    Query q(params, {"q", "country", "author", "lang", "type", "year", "month", "from", "to", "sort", "page", "size",
                     "prefer", "ui_lang", "facets", "facet_size", "highlight", "snippet_chars"});
    indexer::SearchRequest req;
    req.query = q.get("q");
    if (req.query.size() > 10000) throw BadRequest{"parameter \"q\" is longer than 10000 bytes"};
    for (const char* f : {"country", "author", "lang", "type", "year", "month"})
      if (auto v = listed(q, f); !v.empty()) req.filters[f] = v;
    req.from = q.get("from");
    req.to = q.get("to");
    if (auto s = q.one("sort")) {
      auto order = indexer::parse_sort(*s);
      if (!order) throw BadRequest{"parameter \"sort\" must be relevance, newest or oldest"};
      req.sort = *order;
    }
    req.page = q.number("page", 1, 1, 1000000);
    req.size = q.number("size", 10, 1, options.max_page_size);
    req.languages = listed(q, "prefer");
    req.ui_lang = q.get("ui_lang", "en");
    if (auto f = q.one("facets")) {
      req.facets = listed(q, "facets");
      for (const auto& name : req.facets)
        if (std::find(indexer::facet_names().begin(), indexer::facet_names().end(), name) == indexer::facet_names().end())
          throw BadRequest{"parameter \"facets\": \"" + name + "\" is not a facet (country, year, month, author, lang, type)"};
    }
    req.facet_size = q.number("facet_size", req.facet_size, 1, options.max_facet_size);
    req.highlight = q.flag("highlight", true);
    req.snippet_chars = q.number("snippet_chars", req.snippet_chars, 0, 2000);
    req.budget = options.search_budget;
    auto* s = search_index();
    if (!s) return problem(Problem::kUnavailable, "the index is not built yet");
    auto r = s->search(req);
    if (!r) {
      if (r.status().code() == Code::kInvalidArgument) throw BadRequest{r.status().message()};
      throw r.status();
    }
    return json_response(indexer::to_json(*r));
  }

  Response suggest(const Params& params) {
    Query q(params, {"q", "limit", "ui_lang"});
    auto text = q.one("q");
    if (!text) throw BadRequest{"parameter \"q\" is required"};
    std::size_t limit = q.number("limit", 10, 1, 50);
    auto* s = search_index();
    if (!s) return problem(Problem::kUnavailable, "the index is not built yet");
    auto r = s->suggest(*text, limit, q.get("ui_lang", "en"));
    if (!r) throw r.status();
    return json_response(indexer::to_json(*r));
  }

  Response facets(const Params& params) {
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

  Response article_uncached(const std::string& id, const Params& params, archive::Snapshot& snap) {
    Query q(params, {"lang"});
    // Written from the stored records without decoding them (archive.hpp).
    auto body = snap.article_json(id, q.get("lang"));
    if (!body) {
      if (body.status().code() == Code::kNotFound) return problem(Problem::kNotFound, body.status().message());
      throw body.status();
    }
    Response res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json");
    res.body() = std::move(*body);
    return res;
  }

  Response author_uncached(const std::string& id, const Params& params, archive::Snapshot& snap) {
    Query q(params, {});
    auto a = snap.author(id);
    if (!a) {
      if (a.status().code() == Code::kNotFound) return problem(Problem::kNotFound, "no author \"" + id + "\"");
      throw a.status();
    }
    json body = *a;
    body["articles"] = json::array();
    std::vector<json> articles;
    for (const auto& article_id : snap.articles_by_author(id)) {
      auto art = snap.article(article_id);
      if (!art) continue;  // deleted since the index row was read: same transaction, cannot happen
      json item = {{"id", art->id}, {"published", art->published}, {"original_language", art->original_language},
                   {"languages", json::array()}, {"title", ""}};
      for (const auto& [lang, t] : art->translations) item["languages"].push_back(lang);
      auto original = art->translations.find(art->original_language);
      if (original == art->translations.end()) original = art->translations.begin();
      if (original != art->translations.end()) item["title"] = original->second.title;
      articles.push_back(std::move(item));
    }
    std::stable_sort(articles.begin(), articles.end(), [](const json& x, const json& y) {
      return x["published"].get<std::string>() > y["published"].get<std::string>();
    });
    for (auto& item : articles) body["articles"].push_back(std::move(item));
    return json_response(body);
  }

  // Record responses (articles, authors) as sent, by request, for as long
  // as the archive has not changed (its last change number): decoding a
  // record and writing its JSON costs far more than serving it again. A
  // response is kept from its second request on (a doorkeeper of recently
  // asked keys' hashes): a sweep over every record then does not copy each
  // response into the cache only to push out the ones asked for often.
  struct Cached {
    std::uint64_t seq;
    std::string body, etag;
  };
  std::unordered_map<std::string, Cached> record_cache;
  std::size_t record_cache_bytes = 0;
  static constexpr std::size_t kRecordCacheBytes = std::size_t{32} << 20;  // per thread
  static constexpr std::size_t kDoorkeeperSlots = 4096;
  bool dont_cache = false;  // set by a response maker whose answer may change without an archive change
  std::vector<std::size_t> doorkeeper = std::vector<std::size_t>(kDoorkeeperSlots, 0);

  // True when `key` was asked for recently (and remembers it).
  bool asked_before(const std::string& key) {
    std::size_t h = std::hash<std::string>{}(key) | 1;  // 0 marks an empty slot
    std::size_t& slot = doorkeeper[h % kDoorkeeperSlots];
    bool seen = slot == h;
    slot = h;
    return seen;
  }

  Response cached_record(const std::string& key, const std::function<Response(archive::Snapshot&)>& make) {
    auto snap = snapshot();
    std::uint64_t seq = snap.last_seq();
    if (auto it = record_cache.find(key); it != record_cache.end() && it->second.seq == seq) {
      Response res{http::status::ok, 11};
      res.set(http::field::content_type, "application/json");
      res.set(http::field::etag, it->second.etag);
      res.body() = it->second.body;
      return res;
    }
    dont_cache = false;
    Response res = make(snap);
    if (res.result() != http::status::ok) return res;
    std::string tag = etag_of(res.body());
    res.set(http::field::etag, tag);
    if (dont_cache || !asked_before(key) || res.body().size() > kRecordCacheBytes / 16) return res;
    if (record_cache_bytes + res.body().size() > kRecordCacheBytes) {
      record_cache.clear();  // bounded: start over rather than grow
      record_cache_bytes = 0;
    }
    if (auto it = record_cache.find(key); it != record_cache.end()) {
      record_cache_bytes -= it->second.body.size();
      it->second = Cached{seq, res.body(), tag};
    } else {
      record_cache.emplace(key, Cached{seq, res.body(), tag});
    }
    record_cache_bytes += res.body().size();
    return res;
  }

  Response article(const std::string& id, const Params& params) {
    std::string key = "a " + id;
    for (const auto& [k, v] : params) key += " " + k + "=" + v;
    return cached_record(key, [&](archive::Snapshot& snap) { return article_uncached(id, params, snap); });
  }

  Response author(const std::string& id, const Params& params) {
    std::string key = "u " + id;
    for (const auto& [k, v] : params) key += " " + k + "=" + v;
    return cached_record(key, [&](archive::Snapshot& snap) { return author_uncached(id, params, snap); });
  }

  // An article as the staff page shows it: one translation (`lang` if it
  // exists, else the one in `ui_lang`, else the original), its body as
  // HTML, its authors' names and its countries' names in `ui_lang`.
  Response article_view_uncached(const std::string& id, const Params& params, archive::Snapshot& snap) {
    Query q(params, {"lang", "ui_lang"});
    std::string want = q.get("lang"), ui = q.get("ui_lang", "en");
    auto a = snap.article(id);
    if (!a) {
      if (a.status().code() == Code::kNotFound) return problem(Problem::kNotFound, "no article \"" + id + "\"");
      throw a.status();
    }
    if (a->translations.empty()) return problem(Problem::kNotFound, "article \"" + id + "\" has no translation yet");
    auto chosen = a->translations.find(want);
    if (chosen == a->translations.end()) chosen = a->translations.find(ui);
    if (chosen == a->translations.end()) chosen = a->translations.find(a->original_language);
    if (chosen == a->translations.end()) chosen = a->translations.begin();
    const schema::Translation& t = chosen->second;
    json languages = json::array();
    for (const auto& [lang, unused] : a->translations) languages.push_back(lang);
    json authors = json::array();
    for (const auto& author_id : a->authors) {
      json one = {{"id", author_id}, {"name", author_id}};
      if (auto au = snap.author(author_id); au.ok()) {
        one["name"] = au->name;
        if (au->honorific) one["honorific"] = *au->honorific;
      }
      authors.push_back(std::move(one));
    }
    // The record's countries, then those its texts name (from the index;
    // until the article is indexed the response is not cached).
    const auto& gazetteer = indexer::Gazetteer::instance();
    json countries = json::array();
    for (const auto& code : a->countries)
      countries.push_back({{"code", code}, {"name", gazetteer.label(code, ui)}, {"subject", true}});
    indexer::ArticleCountries found;
    if (auto* s = search_index())
      if (auto c = s->countries(id); c.ok()) found = std::move(*c);
    if (!found.indexed) dont_cache = true;
    for (const auto& code : found.mentioned)
      if (std::find(a->countries.begin(), a->countries.end(), code) == a->countries.end())
        countries.push_back({{"code", code}, {"name", gazetteer.label(code, ui)}, {"subject", false}});
    // Each note as stored, and whether its text already shows its access
    // date (the page then does not add it again).
    json notes = json::array();
    for (const auto& f : t.footnotes) {
      json n = f;
      if (f.accessed) n["accessed_in_text"] = schema::read_footnote(f.text).accessed.has_value();
      notes.push_back(std::move(n));
    }
    json translation = {{"title", t.title}, {"body_html", commonmark_html(t.body)}, {"footnotes", std::move(notes)}};
    if (t.subtitle) translation["subtitle"] = *t.subtitle;
    if (t.translator) translation["translator"] = *t.translator;
    json body = {{"id", a->id},         {"published", a->published}, {"original_language", a->original_language},
                 {"languages", languages}, {"lang", chosen->first},  {"authors", authors},
                 {"countries", countries}, {"tags", a->tags},        {"translation", translation}};
    if (a->source_url) body["source_url"] = *a->source_url;
    return json_response(body);
  }

  Response article_view(const std::string& id, const Params& params) {
    std::string key = "v " + id;
    for (const auto& [k, v] : params) key += " " + k + "=" + v;
    return cached_record(key, [&](archive::Snapshot& snap) { return article_view_uncached(id, params, snap); });
  }

  // The staff page: its one HTML document for every page path (the page
  // reads the path itself), and its assets. Built in (web_assets.hpp), so
  // no file of the machine is ever read for a request.
  Response page_asset(const std::string& name) {
    const WebAsset* asset = find_web_asset(name);
    if (!asset) return problem(Problem::kNotFound, "no such resource");
    Response res{http::status::ok, 11};
    res.set(http::field::content_type, asset->content_type);
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    if (name == "index.html") {
      // Record text never runs: no inline script, nothing from elsewhere.
      res.set("Content-Security-Policy",
              "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
              "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
      res.set("X-Frame-Options", "DENY");
    }
    res.body().assign(asset->data, asset->size);
    return res;
  }

  Response stats(const Params& params) {
    Query q(params, {});
    auto snap = snapshot();
    auto ix = indexer::index_stats(index_options());
    return json_response(indexer::stats_json(snap.stats(), ix.ok() ? &*ix : nullptr));
  }

  // ---- writes ----

  struct Collected : archive::ImportListener {
    std::vector<archive::ImportProblem> problems;
    void on_problem(const archive::ImportProblem& p) override { problems.push_back(p); }
  };

  // JSON Lines through the importer, as `defter import` takes them.
  std::pair<archive::ImportSummary, std::vector<archive::ImportProblem>> import_text(
      const std::string& name, std::string_view text, unsigned threads,
      const std::vector<std::pair<schema::RecordType, std::string>>& written = {}) {
    int fd = ::memfd_create("defter-import", MFD_CLOEXEC);
    if (fd < 0) throw Status(Code::kIOError, std::string("memfd_create: ") + std::strerror(errno));
    for (std::size_t done = 0; done < text.size();) {
      ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        throw Status(Code::kIOError, std::string("write to memfd: ") + std::strerror(errno));
      }
      done += static_cast<std::size_t>(n);
    }
    ::lseek(fd, 0, SEEK_SET);
    archive::ImportOptions o;
    o.threads = threads;
    Collected c;
    auto r = archive::import_jsonl_fd(archive, name, fd, o, c);
    if (!r) throw r.status();
    if (r->counts.records() > 0 && options.on_write) options.on_write(written);
    return {*r, std::move(c.problems)};
  }

  std::uint64_t last_change() { return snapshot().last_seq(); }

  static json problem_json(const archive::ImportProblem& p) {
    json j = {{"line", p.line}, {"record", p.record}, {"field", p.field}, {"reason", p.reason}, {"warning", p.warning}};
    return j;
  }

  // PUT of one record: the body's fields, with what the path says.
  Response put_record(schema::RecordType type, const std::string& id, const std::string& lang, const std::string& body) {
    std::vector<std::string> duplicates;
    auto parsed = schema::parse_json(body, &duplicates);
    if (!parsed) throw BadRequest{"the body: " + parsed.status().message()};
    json& j = *parsed;
    if (!j.is_object()) throw BadRequest{"the body must be a JSON object (the record's fields)"};
    auto fix = [&](const char* field, const std::string& value) {
      if (!j.contains(field)) {
        j[field] = value;
        return;
      }
      const json& given = j[field];
      if (given.is_string() && given.get_ref<const std::string&>() == value) return;
      // Named, not quoted: the value is the client's and may be anything.
      std::string what = given.is_string() ? "\"" + given.get<std::string>().substr(0, 200) + "\"" : "a JSON " + std::string(given.type_name());
      throw BadRequest{std::string("field ") + field + ": " + what + " differs from the path's \"" + value + "\""};
    };
    fix("type", schema::type_name(type));
    if (type == schema::RecordType::kTranslation) {
      fix("article", id);
      fix("lang", lang);
    } else {
      fix("id", id);
    }
    // The record the indexer makes searchable first: an article (for a translation too) or an author.
    schema::RecordType unit = type == schema::RecordType::kAuthor ? type : schema::RecordType::kArticle;
    auto [summary, problems] =
        import_text("body", j.dump(-1, ' ', false, json::error_handler_t::strict) + "\n", 1, {{unit, id}});
    std::vector<json> warnings;
    for (const auto& key : duplicates)
      warnings.push_back(problem_json({"body", 1, "", key, "the key is given more than once; the last value is kept", true}));
    std::string rejected;
    for (const auto& p : problems) {
      if (p.warning) warnings.push_back(problem_json(p));
      else rejected += (rejected.empty() ? "" : "; ") + (p.field.empty() ? "" : p.field + ": ") + p.reason;
    }
    if (summary.counts.rejected > 0 || summary.counts.records() == 0)
      throw BadRequest{rejected.empty() ? "the record was not accepted" : rejected};
    std::string outcome = summary.counts.added ? "added" : summary.counts.replaced ? "replaced" : "unchanged";
    Response res = json_response({{"outcome", outcome}, {"warnings", warnings}, {"last_change", last_change()}},
                                 summary.counts.added ? http::status::created : http::status::ok);
    return res;
  }

  Response delete_record(schema::RecordType type, const std::string& id, const std::string& lang) {
    bool removed = false;
    Status st = archive.write([&](archive::WriteBatch& batch) -> Status {
      auto r = batch.remove(type, id, lang);
      if (!r) return r.status();
      removed = *r;
      return {};
    });
    if (st.code() == Code::kConflict) return problem(Problem::kConflict, st.message());
    if (!st.ok()) throw st;
    if (!removed) {
      std::string what = type == schema::RecordType::kTranslation ? "no translation \"" + lang + "\" of article \"" + id + "\""
                         : type == schema::RecordType::kAuthor  ? "no author \"" + id + "\""
                                                                 : "no article \"" + id + "\"";
      return problem(Problem::kNotFound, what);
    }
    if (options.on_write)
      options.on_write({{type == schema::RecordType::kAuthor ? type : schema::RecordType::kArticle, id}});
    Response res{http::status::no_content, 11};
    return res;
  }

  Response import(const Request& req) {
    if (req.body().empty()) throw BadRequest{"the body must hold JSON Lines records"};
    auto [summary, problems] = import_text("body", req.body(), 0);
    json list = json::array();
    for (const auto& p : problems) list.push_back(problem_json(p));
    const auto& c = summary.counts;
    return json_response({{"added", c.added},
                          {"replaced", c.replaced},
                          {"unchanged", c.unchanged},
                          {"rejected", c.rejected},
                          {"warnings", c.warnings},
                          {"lines", summary.lines},
                          {"batches", summary.batches},
                          {"problems", std::move(list)},
                          {"last_change", last_change()}});
  }

  // ---- routing ----

  struct Route {
    std::string name;
    std::vector<http::verb> methods;  // GET implies HEAD
  };

  static Route match(const std::vector<std::string>& s) {
    using v = http::verb;
    if (s.size() == 1 && s[0] == "healthz") return {"healthz", {v::get}};
    if (s.size() == 1 && s[0] == "readyz") return {"readyz", {v::get}};
    if (s.size() == 1 && s[0] == "metrics") return {"metrics", {v::get}};  // answered by the server
    // The staff page's paths: the search, an article, an author; its assets.
    if (s.empty() || (s.size() == 2 && (s[0] == "articles" || s[0] == "authors"))) return {"page", {v::get}};
    if (s.size() == 2 && s[0] == "static") return {"asset", {v::get}};
    if (s.size() < 3 || s[0] != "api" || s[1] != "v1") return {};
    if (s.size() == 3) {
      if (s[2] == "search" || s[2] == "suggest" || s[2] == "facets" || s[2] == "stats") return {s[2], {v::get}};
      if (s[2] == "openapi.json") return {"openapi", {v::get}};
      if (s[2] == "import") return {"import", {v::post}};
    }
    if (s.size() == 4 && s[2] == "articles") return {"article", {v::get, v::put, v::delete_}};
    if (s.size() == 5 && s[2] == "articles" && s[4] == "view") return {"article_view", {v::get}};
    if (s.size() == 4 && s[2] == "authors") return {"author", {v::get, v::put, v::delete_}};
    if (s.size() == 6 && s[2] == "articles" && s[4] == "translations") return {"translation", {v::put, v::delete_}};
    return {};
  }

  static std::string allow_header(const Route& r) {
    std::string out;
    for (auto m : r.methods) {
      if (!out.empty()) out += ", ";
      out += std::string(http::to_string(m));
      if (m == http::verb::get) out += ", HEAD";
    }
    return out;
  }

  // nullopt when the request may go on, else the 401 or 403.
  std::optional<Response> authorize(const Request& req, const std::string& route, bool write) {
    bool open = route == "healthz" || route == "readyz" || route == "openapi" || route == "page" || route == "asset";
    if (!write && (!options.require_read_token || open)) return std::nullopt;
    Scope needed = write ? Scope::kWrite : Scope::kRead;
    auto header = sv(req[http::field::authorization]);
    auto unauthorized = [](const std::string& detail) {
      Response res = problem(Problem::kUnauthorized, detail);
      res.set(http::field::www_authenticate, "Bearer realm=\"defter\"");
      return res;
    };
    if (header.empty()) return unauthorized(write ? "writes need an Authorization: Bearer token" : "this server needs a token for reads");
    if (header.size() < 7 || !boost::beast::iequals(boost::beast::string_view(header.data(), 7), "Bearer "))
      return unauthorized("the Authorization header must be \"Bearer TOKEN\"");
    std::string_view secret = header.substr(7);
    while (!secret.empty() && secret.front() == ' ') secret.remove_prefix(1);
    auto scope = token_scope(snapshot().tokens(), secret);
    if (!scope) return unauthorized("the token is not valid (unknown or revoked)");
    if (static_cast<int>(*scope) < static_cast<int>(needed))
      return problem(Problem::kForbidden, "the token's scope (" + scope_name(*scope) + ") does not allow " +
                                              (write ? "writes" : "reads"));
    return std::nullopt;
  }

  Response route(const Request& req, const Target& t, std::string& name) {
    const auto& s = t.segments;
    Route r = match(s);
    if (r.name.empty()) return problem(Problem::kNotFound, "no such resource");
    name = r.name;
    http::verb method = req.method() == http::verb::head ? http::verb::get : req.method();
    if (std::find(r.methods.begin(), r.methods.end(), method) == r.methods.end()) {
      Response res = problem(Problem::kMethodNotAllowed, "this resource answers " + allow_header(r));
      res.set(http::field::allow, allow_header(r));
      return res;
    }
    bool write = method != http::verb::get;
    if (auto refused = authorize(req, r.name, write)) return std::move(*refused);
    using v = http::verb;
    if (r.name == "metrics") return problem(Problem::kNotFound, "no such resource");  // the server's own
    if (r.name == "healthz") return json_response({{"status", "ok"}});
    if (r.name == "readyz") {
      Query q(t.params, {});
      if (!search_index()) return problem(Problem::kUnavailable, "the index is not built yet");
      return json_response({{"status", "ready"}, {"documents", searcher->documents()}});
    }
    if (r.name == "page") return page_asset("index.html");  // its parameters are the page's
    if (r.name == "asset") {
      Query q(t.params, {});
      return page_asset(s[1]);
    }
    if (r.name == "article_view") return article_view(s[3], t.params);
    if (r.name == "search") return search(t.params);
    if (r.name == "suggest") return suggest(t.params);
    if (r.name == "facets") return facets(t.params);
    if (r.name == "stats") return stats(t.params);
    if (r.name == "openapi") {
      Query q(t.params, {});
      Response res{http::status::ok, 11};
      res.set(http::field::content_type, "application/json");
      res.body() = openapi_document();
      return res;
    }
    if (r.name == "import") {
      Query q(t.params, {});
      return import(req);
    }
    if (write) Query q(t.params, {});
    if (r.name == "article") {
      if (method == v::get) return article(s[3], t.params);
      if (method == v::put) return put_record(schema::RecordType::kArticle, s[3], "", req.body());
      return delete_record(schema::RecordType::kArticle, s[3], "");
    }
    if (r.name == "author") {
      if (method == v::get) return author(s[3], t.params);
      if (method == v::put) return put_record(schema::RecordType::kAuthor, s[3], "", req.body());
      return delete_record(schema::RecordType::kAuthor, s[3], "");
    }
    if (method == v::put) return put_record(schema::RecordType::kTranslation, s[3], s[5], req.body());
    return delete_record(schema::RecordType::kTranslation, s[3], s[5]);
  }
};

ApiWorker::ApiWorker(const ApiOptions& options, archive::Archive& archive)
    : impl_(std::make_unique<Impl>(options, archive)) {}
ApiWorker::~ApiWorker() = default;

bool ApiWorker::admits_body(const Request& header) {
  try {
    Target t = parse_target(sv(header.target()));
    Impl::Route r = Impl::match(t.segments);
    bool takes_body = (r.name == "import" && header.method() == http::verb::post) ||
                      ((r.name == "article" || r.name == "author" || r.name == "translation") &&
                       header.method() == http::verb::put);
    return takes_body && !impl_->authorize(header, r.name, true);
  } catch (...) {
    return false;  // handle() says what is wrong with it
  }
}

std::optional<Response> ApiWorker::authorize_read(const Request& req, const std::string& route) {
  try {
    return impl_->authorize(req, route, false);
  } catch (...) {
    return problem(Problem::kUnavailable, "the archive could not be read; try again");
  }
}

std::string ApiWorker::route_of(std::string_view target) {
  try {
    return Impl::match(parse_target(target).segments).name;
  } catch (const BadRequest&) {
    return "";
  }
}

bool ApiWorker::ready() {
  try {
    return impl_->search_index() != nullptr;
  } catch (...) {
    return false;
  }
}

Response ApiWorker::handle(const Request& req, Outcome& outcome) {
  outcome = Outcome{};
  Response res;
  try {
    res = impl_->route(req, parse_target(sv(req.target())), outcome.route);
  } catch (const BadRequest& e) {
    res = problem(Problem::kBadRequest, e.detail);
  } catch (const Status& st) {
    // The environment's failure: its detail (paths of the machine) goes to
    // the log, never into the answer.
    outcome.error = st.message();
    bool busy = st.code() == Code::kLocked || st.code() == Code::kIOError;
    if (st.code() == Code::kTimeout) {
      outcome.error.clear();  // the client's query, not the server's failure
      res = problem(Problem::kUnavailable, "the search took longer than its budget of " +
                                               std::to_string(impl_->options.search_budget.count()) +
                                               " ms; narrow it (fewer alternatives or phrases, a filter) and try again");
      res.set(http::field::retry_after, "1");
    } else if (st.code() == Code::kStorageFull)
      res = problem(Problem::kStorageFull, "the archive's disk is full; nothing of this request was written");
    else if (st.code() == Code::kReadOnly)
      res = problem(Problem::kUnavailable, "the archive is read-only; nothing of this request was written");
    else
      res = problem(busy ? Problem::kUnavailable : Problem::kInternal,
                    "the archive or the index could not be read or written; the server log has the detail");
  } catch (const std::exception& e) {
    outcome.error = e.what();
    res = problem(Problem::kInternal, "an unexpected error; the server log has the detail");
  }
  res.version(req.version());
  res.keep_alive(req.keep_alive());
  if (res.result() == http::status::service_unavailable && res[http::field::retry_after].empty())
    res.set(http::field::retry_after, "5");
  return res;
}

}  // namespace defter::httpd
