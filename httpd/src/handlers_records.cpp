// The record handlers: articles and authors as stored (with a per-thread cache of responses), the article view the page shows, the page's own files.
#include "api_impl.hpp"

namespace defter::httpd {

Response ApiWorker::Impl::article_uncached(const std::string& id, const Params& params, archive::Snapshot& snap) {
  Query q(params, {"lang"});
  // Written from the stored records without decoding them (archive.hpp).
  auto body = snap.article_json(id, q.get("lang"));
  if (!body) throw body.status();  // no such article: 404 (problems.hpp)
  Response res{http::status::ok, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(*body);
  return res;
}

Response ApiWorker::Impl::author_uncached(const std::string& id, const Params& params, archive::Snapshot& snap) {
  Query q(params, {});
  auto page = indexer::author_page(snap, id);
  if (!page) throw page.status();
  return json_response(*page);
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
  if (dont_cache || res.body().size() > kRecordCacheBytes / 16) return res;
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

// The article view (indexer/pages.hpp); not cached until the index has
// seen the article (the countries its text names are missing until then).
Response ApiWorker::Impl::article_view_uncached(const std::string& id, const Params& params, archive::Snapshot& snap) {
  Query q(params, {"lang", "ui_lang"});
  auto view = indexer::article_view(snap, id, q.get("lang"), q.get("ui_lang", "en"), search_index());
  if (!view) throw view.status();
  if (!view->complete) dont_cache = true;
  // When it was last changed, and by whom (its newest revision; none for
  // an article unchanged since revisions were kept).
  json body = std::move(view->body);
  body["last_change"] = nullptr;
  auto last = snap.last_revision(schema::RecordType::kArticle, id);
  if (!last) throw last.status();
  if (const auto& r = *last)
    body["last_change"] = {{"revision", r->number}, {"at", r->at}, {"who", r->who}, {"how", r->how}};
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
