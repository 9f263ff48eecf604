#include "api_impl.hpp"

namespace defter::httpd {



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
  // schema/openapi.json, which holds the record schemas (schema/json)
  // bundled into its components (schema/tools/openapi-bundle.mjs), so that
  // the document stands alone.
  static const std::string kDocument = json::parse(openapi_json_text()).dump();
  return kDocument;
}

// ---- ApiWorker -------------------------------------------------------------

indexer::IndexOptions ApiWorker::Impl::index_options() const { return indexer::DataDir(options.data).index_options(); }

// The searcher at the index's latest commit; nullptr while there is no index.
indexer::Searcher* ApiWorker::Impl::search_index() {
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

archive::Snapshot ApiWorker::Impl::snapshot() {
  auto snap = archive.snapshot();
  if (!snap) throw snap.status();
  return std::move(*snap);
}



ApiWorker::Impl::Route ApiWorker::Impl::match(const std::vector<std::string>& s) {
  using v = http::verb;
  if (s.size() == 1 && s[0] == "healthz") return {"healthz", {v::get}};
  if (s.size() == 1 && s[0] == "readyz") return {"readyz", {v::get}};
  if (s.size() == 1 && s[0] == "metrics") return {"metrics", {v::get}};  // answered by the server
  // The staff page's paths: the search, an article, an author; its assets.
  if (s.empty() || (s.size() == 2 && (s[0] == "articles" || s[0] == "authors"))) return {"page", {v::get}};
  if (s.size() == 3 && s[0] == "articles" && s[2] == "history") return {"page", {v::get}};
  if (s.size() == 2 && s[0] == "static") return {"asset", {v::get}};
  if (s.size() == 1 && s[0] == "opensearch.xml") return {"opensearch", {v::get}};
  if (s.size() == 1 && s[0] == "feed.atom") return {"feed", {v::get}};
  // OAI-PMH: its requests by GET or by a form POST; the schema of its own format.
  if (s.size() == 1 && s[0] == "oai") return {"oai", {v::get, v::post}};
  if (s.size() == 2 && s[0] == "oai" && s[1] == "article.xsd") return {"oai_schema", {v::get}};
  if (s.size() < 3 || s[0] != "api" || s[1] != "v1") return {};
  if (s.size() == 3) {
    if (s[2] == "search" || s[2] == "suggest" || s[2] == "facets" || s[2] == "fields" || s[2] == "stats")
      return {s[2], {v::get}};
    if (s[2] == "openapi.json") return {"openapi", {v::get}};
    if (s[2] == "search.atom") return {"search_atom", {v::get}};
    if (s[2] == "search.csv" || s[2] == "search.ris" || s[2] == "search.bib" || s[2] == "search.csl.json")
      return {"search_export", {v::get}};
    if (s[2] == "import") return {"import", {v::post}};
  }
  if (s.size() == 4 && s[2] == "problems") return {"problem_page", {v::get}};
  if (s.size() == 3 && s[2] == "runs") return {"runs", {v::get}};
  if (s.size() == 4 && s[2] == "runs") return {"run", {v::get}};
  if (s.size() == 5 && s[2] == "runs" && s[4] == "revert") return {"run_revert", {v::post}};
  if (s.size() == 5 && (s[2] == "articles" || s[2] == "authors") && s[4] == "history") return {"history", {v::get}};
  if (s.size() == 6 && (s[2] == "articles" || s[2] == "authors") && s[4] == "revisions") return {"revision", {v::get}};
  if (s.size() == 4 && s[2] == "articles") return {"article", {v::get, v::put, v::delete_}};
  if (s.size() == 5 && s[2] == "articles" && s[4] == "view") return {"article_view", {v::get}};
  if (s.size() == 4 && s[2] == "authors") return {"author", {v::get, v::put, v::delete_}};
  if (s.size() == 6 && s[2] == "articles" && s[4] == "translations") return {"translation", {v::put, v::delete_}};
  return {};
}

std::string ApiWorker::Impl::allow_header(const Route& r) {
  std::string out;
  for (auto m : r.methods) {
    if (!out.empty()) out += ", ";
    out += std::string(http::to_string(m));
    if (m == http::verb::get) out += ", HEAD";
  }
  return out;
}

// nullopt when the request may go on, else the 401 or 403.
std::optional<Response> ApiWorker::Impl::authorize(const Request& req, const std::string& route, bool write) {
  bool open = route == "healthz" || route == "readyz" || route == "openapi" || route == "fields" || route == "page" || route == "asset" ||
              route == "opensearch" || route == "oai_schema" || route == "problem_page";
  caller.clear();
  if (!write && (!options.require_read_token || open)) return std::nullopt;
  Scope needed = route == "run_revert" ? Scope::kAdmin : write ? Scope::kWrite : Scope::kRead;
  auto header = sv(req[http::field::authorization]);
  auto unauthorized = [](const std::string& detail) {
    Response res = problem(Problem::kUnauthorized, detail);
    res.set(http::field::www_authenticate, "Bearer realm=\"defter\"");
    return res;
  };
  if (header.empty()) return unauthorized(write ? "writes need an Authorization: Bearer token" : "this server needs a token for reads");
  if (header.size() < 7 || !boost::beast::iequals(boost::beast::string_view(header.data(), 7), "Bearer "))
    return unauthorized("the Authorization header must be 'Bearer TOKEN'");
  std::string_view secret = header.substr(7);
  while (!secret.empty() && secret.front() == ' ') secret.remove_prefix(1);
  auto token = find_token(snapshot().tokens(), secret);
  if (!token) return unauthorized("the token is not valid (unknown or revoked)");
  caller = token->name;
  if (static_cast<int>(token->scope) < static_cast<int>(needed))
    return problem(Problem::kForbidden, "the token's scope (" + scope_name(token->scope) + ") does not allow " +
                                            (needed == Scope::kAdmin ? "reverts (they need an admin token)" : write ? "writes" : "reads"));
  return std::nullopt;
}

Response ApiWorker::Impl::route(const Request& req, const Target& t, std::string& name) {
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
  bool write = method != http::verb::get && r.name != "oai";  // an OAI-PMH POST reads
  if (auto refused = authorize(req, r.name, write)) return std::move(*refused);
  using v = http::verb;
  if (r.name == "metrics") return problem(Problem::kNotFound, "no such resource");  // the server's own
  if (r.name == "healthz") return json_response({{"status", "ok"}});
  if (r.name == "readyz") {
    Query q(t.params, {});
    if (!search_index()) return problem(Problem::kUnavailable, "the index is not built yet");
    return json_response({{"status", "ready"}, {"documents", searcher->documents()}});
  }
  // The page's parameters are the page's; an article's page has its metadata.
  if (r.name == "page" && s.size() == 2 && s[0] == "articles") return article_page(req, s[1], t.params);
  if (r.name == "page") return page_asset("index.html");
  if (r.name == "opensearch") {
    Query q(t.params, {});
    return opensearch(req);
  }
  if (r.name == "asset") {
    Query q(t.params, {});
    return page_asset(s[1]);
  }
  if (r.name == "article_view") return article_view(s[3], t.params);
  if (r.name == "runs") return runs(t.params);
  if (r.name == "run") return run(s[3], t.params);
  if (r.name == "run_revert") return revert(s[3], t.params);
  if (r.name == "history" || r.name == "revision") {
    auto type = s[2] == "authors" ? schema::RecordType::kAuthor : schema::RecordType::kArticle;
    return r.name == "history" ? history(type, s[3], t.params) : revision(type, s[3], s[5], t.params);
  }
  if (r.name == "search") return search(t.params);
  if (r.name == "search_atom") return search_atom(req, t.params, false);
  if (r.name == "search_export")
    return search_export(req, t.params, *indexer::parse_export_format(s[2].substr(std::string("search.").size())));
  if (r.name == "feed") {
    Query q(t.params, {});
    return search_atom(req, t.params, true);
  }
  if (r.name == "problem_page") {
    Query q(t.params, {});
    auto page = problem_page(s[3]);
    if (!page) return problem(Problem::kNotFound, "no such problem type");
    Response res{http::status::ok, 11};
    res.set(http::field::content_type, "text/html; charset=utf-8");
    res.set(http::field::cache_control, "public, max-age=86400");
    res.body() = std::move(*page);
    return res;
  }
  if (r.name == "oai") return oai(req, t.params);
  if (r.name == "oai_schema") {
    Query q(t.params, {});
    return oai_schema();
  }
  if (r.name == "suggest") return suggest(t.params);
  if (r.name == "facets") return facets(t.params);
  if (r.name == "fields") return fields(t.params);
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

ApiWorker::ApiWorker(const ApiOptions& options, archive::Archive& archive)
    : impl_(std::make_unique<Impl>(options, archive)) {}
ApiWorker::~ApiWorker() = default;

bool ApiWorker::admits_body(const Request& header) {
  try {
    Target t = parse_target(sv(header.target()));
    Impl::Route r = Impl::match(t.segments);
    if (r.name == "oai" && header.method() == http::verb::post) return !impl_->authorize(header, r.name, false);
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

bool ApiWorker::accepts(std::string_view target, http::verb method) {
  try {
    auto route = Impl::match(parse_target(target).segments);
    return std::any_of(route.methods.begin(), route.methods.end(), [&](http::verb m) {
      return m == method || (m == http::verb::get && method == http::verb::head);
    });
  } catch (const BadRequest&) {
    return false;
  }
}

bool ApiWorker::ready() {
  try {
    return impl_->search_index() != nullptr;
  } catch (...) {
    return false;
  }
}

namespace {

// The request's Origin when the operator allows it (--cors-origin), else "".
std::string allowed_origin(const Request& req, const std::vector<std::string>& allowed) {
  std::string origin(req[http::field::origin]);
  if (origin.empty() || allowed.empty()) return "";
  for (const auto& a : allowed)
    if (a == "*" || a == origin) return origin;
  return "";
}

}  // namespace

Response ApiWorker::handle(const Request& req, Outcome& outcome) {
  outcome = Outcome{};
  impl_->caller.clear();
  const std::string origin = allowed_origin(req, impl_->options.cors_origins);
  // A browser's preflight for a page of an allowed origin: what it may send.
  if (!origin.empty() && req.method() == http::verb::options &&
      !req[http::field::access_control_request_method].empty()) {
    Response pre{http::status::no_content, req.version()};
    pre.set(http::field::access_control_allow_origin, origin);
    pre.set(http::field::access_control_allow_methods, "GET, HEAD, PUT, DELETE, POST");
    pre.set(http::field::access_control_allow_headers, "Authorization, Content-Type, If-None-Match");
    pre.set(http::field::access_control_max_age, "600");
    pre.set(http::field::vary, "Origin");
    pre.keep_alive(req.keep_alive());
    outcome.route = "preflight";
    return pre;
  }
  Response res;
  try {
    res = impl_->route(req, parse_target(sv(req.target())), outcome.route);
  } catch (const BadRequest& e) {
    res = detail::problem_with(Problem::kBadRequest, e.detail, e.extra);
  } catch (const Status& st) {
    res = failure_response(st, impl_->options.search_budget, outcome.error, outcome.request_id);
  } catch (const std::exception& e) {
    outcome.error = e.what();
    outcome.request_id = new_request_id();
    res = internal_error(outcome.request_id);
  }
  outcome.token = impl_->caller;
  if (res.result() == http::status::ok) outcome.stream = std::move(impl_->streaming);
  impl_->streaming.reset();
  res.version(req.version());
  res.keep_alive(req.keep_alive());
  if (res.result() == http::status::service_unavailable && res[http::field::retry_after].empty())
    res.set(http::field::retry_after, "5");
  if (!origin.empty()) {
    res.set(http::field::access_control_allow_origin, origin);
    res.set(http::field::access_control_expose_headers,
            "ETag, Location, Retry-After, X-Request-Id, X-Total-Count, X-Exported-Count");
    res.set(http::field::vary, "Origin");
  }
  return res;
}

}  // namespace defter::httpd
