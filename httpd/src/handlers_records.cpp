// The record handlers: articles and authors as stored (with a per-thread cache of responses), the article view the page shows, the page's own files.
#include "api_impl.hpp"

namespace defter::httpd {

Response ApiWorker::Impl::article_uncached(const std::string& id, const Params& params, archive::Snapshot& snap) {
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

Response ApiWorker::Impl::author_uncached(const std::string& id, const Params& params, archive::Snapshot& snap) {
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

// True when `key` was asked for recently (and remembers it).
bool ApiWorker::Impl::asked_before(const std::string& key) {
  std::size_t h = std::hash<std::string>{}(key) | 1;  // 0 marks an empty slot
  std::size_t& slot = doorkeeper[h % kDoorkeeperSlots];
  bool seen = slot == h;
  slot = h;
  return seen;
}

Response ApiWorker::Impl::cached_record(const std::string& key, const std::function<Response(archive::Snapshot&)>& make) {
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

Response ApiWorker::Impl::article(const std::string& id, const Params& params) {
  std::string key = "a " + id;
  for (const auto& [k, v] : params) key += " " + k + "=" + v;
  return cached_record(key, [&](archive::Snapshot& snap) { return article_uncached(id, params, snap); });
}

Response ApiWorker::Impl::author(const std::string& id, const Params& params) {
  std::string key = "u " + id;
  for (const auto& [k, v] : params) key += " " + k + "=" + v;
  return cached_record(key, [&](archive::Snapshot& snap) { return author_uncached(id, params, snap); });
}

// An article as the staff page shows it: one translation (`lang` if it
// exists, else the one in `ui_lang`, else the original), its body as
// HTML, its authors' names and its countries' names in `ui_lang`.
Response ApiWorker::Impl::article_view_uncached(const std::string& id, const Params& params, archive::Snapshot& snap) {
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

Response ApiWorker::Impl::article_view(const std::string& id, const Params& params) {
  std::string key = "v " + id;
  for (const auto& [k, v] : params) key += " " + k + "=" + v;
  return cached_record(key, [&](archive::Snapshot& snap) { return article_view_uncached(id, params, snap); });
}

// The staff page: its one HTML document for every page path (the page
// reads the path itself), and its assets. Built in (web_assets.hpp), so
// no file of the machine is ever read for a request.
Response ApiWorker::Impl::page_asset(const std::string& name) {
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

}  // namespace defter::httpd
