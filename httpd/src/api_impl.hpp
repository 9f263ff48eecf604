// ApiWorker's state and its handlers (internal to httpd/): api.cpp routes
// and authorises; handlers_search.cpp (search, suggest, facets, stats),
// handlers_records.cpp (articles, authors, the article view, the page's
// files) and handlers_writes.cpp (PUT, DELETE, POST /import) answer.
#pragma once

#include "api_support.hpp"

namespace defter::httpd {

namespace detail {
// The request's own origin ("http://host:port"), for the absolute URLs
// JSON-LD, OpenSearch, feeds and OAI-PMH need; a Host header that is not a
// host name and port is not echoed ("http://localhost").
std::string origin_of(const Request& req);
// The time now, UTC, to the second: 2026-11-30T21:07:43Z.
std::string now_time();
}  // namespace detail

using namespace detail;

struct ApiWorker::Impl {
  ApiOptions options;
  archive::Archive& archive;
  std::unique_ptr<indexer::Searcher> searcher;

  Impl(const ApiOptions& o, archive::Archive& a) : options(o), archive(a) {}

  // Record responses (articles, authors) as sent, by request, for as long
  // as the archive has not changed (its last change number): decoding a
  // record and writing its JSON costs far more than serving it again.
  // Bounded: once full it starts over rather than grow.
  struct Cached {
    std::uint64_t seq;
    std::string body, etag;
  };
  std::unordered_map<std::string, Cached> record_cache;
  std::size_t record_cache_bytes = 0;
  static constexpr std::size_t kRecordCacheBytes = std::size_t{32} << 20;  // per thread
  bool dont_cache = false;  // set by a response maker whose answer may change without an archive change
  // Set by a response maker whose body is streamed (Outcome::stream).
  std::shared_ptr<BodyStream> streaming;

  // ---- writes ----

  struct Collected : archive::ImportListener {
    std::vector<archive::ImportProblem> problems;
    void on_problem(const archive::ImportProblem& p) override { problems.push_back(p); }
  };

  // ---- routing ----

  struct Route {
    std::string name;
    std::vector<http::verb> methods;  // GET implies HEAD
  };

  indexer::IndexOptions index_options() const;
  // The searcher at the index's latest commit; nullptr while there is no index.
  indexer::Searcher* search_index();
  archive::Snapshot snapshot();
  // A search's parameters (those of GET /api/v1/search) as a request;
  // BadRequest for one it does not take.
  indexer::SearchRequest search_request(const Params& params);
  Response search(const Params& params);
  // A search as an Atom feed (handlers_page.cpp): /api/v1/search.atom with
  // the search's parameters, /feed.atom the newest articles.
  Response search_atom(const Request& req, const Params& params, bool newest);
  // A search's articles as CSV, RIS, BibTeX or CSL-JSON (indexer/exports.hpp),
  // at most options.max_export of them.
  Response search_export(const Request& req, const Params& params, indexer::ExportFormat format);
  Response suggest(const Params& params);
  Response facets(const Params& params);
  Response fields(const Params& params);
  Response article_uncached(const std::string& id, const Params& params, archive::Snapshot& snap);
  Response author_uncached(const std::string& id, const Params& params, archive::Snapshot& snap);
  Response cached_record(const std::string& key, const std::function<Response(archive::Snapshot&)>& make);
  Response article(const std::string& id, const Params& params);
  Response author(const std::string& id, const Params& params);
  // An article as the staff page shows it: one translation (`lang` if it
  // exists, else the one in `ui_lang`, else the original), its body as
  // HTML, its authors' names and its countries' names in `ui_lang`.
  Response article_view_uncached(const std::string& id, const Params& params, archive::Snapshot& snap);
  Response article_view(const std::string& id, const Params& params);
  // The staff page: its one HTML document for every page path (the page
  // reads the path itself), and its assets. Built in (web_assets.hpp), so
  // no file of the machine is ever read for a request.
  Response page_asset(const std::string& name);
  // An article's page (handlers_page.cpp): the staff page with the
  // article's citation metadata in its head (Highwire citation_* tags,
  // schema.org JSON-LD, links to its other languages), read without
  // running the page's scripts; and the archive's OpenSearch description.
  Response article_page(const Request& req, const std::string& id, const Params& params);
  Response opensearch(const Request& req);
  // OAI-PMH (handlers_oai.cpp, oai.hpp): a request by GET (its query) or
  // by POST (a form body), and the schema of the archive's own format.
  Response oai(const Request& req, const Params& query);
  Response oai_schema();
  Response stats(const Params& params);
  // JSON Lines through the importer, as `defter import` takes them.
  std::pair<archive::ImportSummary, std::vector<archive::ImportProblem>> import_text(
      const std::string& name, std::string_view text, unsigned threads, const archive::Origin& origin, bool record_run,
      const std::vector<std::pair<schema::RecordType, std::string>>& written = {});
  std::uint64_t last_change();
  static json problem_json(const archive::ImportProblem& p);
  // PUT of one record: the body's fields, with what the path says.
  Response put_record(schema::RecordType type, const std::string& id, const std::string& lang, const std::string& body);
  Response delete_record(schema::RecordType type, const std::string& id, const std::string& lang);
  Response import(const Request& req);
  // Provenance (handlers_history.cpp): a record's revisions, the record at
  // one, the runs, one run, a run's revert.
  Response history(schema::RecordType type, const std::string& id, const Params& params);
  Response revision(schema::RecordType type, const std::string& id, const std::string& number, const Params& params);
  Response runs(const Params& params);
  Response run(const std::string& id, const Params& params);
  Response revert(const std::string& id, const Params& params);
  // Who writes: the token of the request being answered (set by authorize).
  archive::Origin origin(std::string how, std::string source) const;
  std::string caller;
  static Route match(const std::vector<std::string>& s);
  static std::string allow_header(const Route& r);
  // nullopt when the request may go on, else the 401 or 403.
  // Sets `caller` to the token's name when one is presented and valid.
  std::optional<Response> authorize(const Request& req, const std::string& route, bool write);
  Response route(const Request& req, const Target& t, std::string& name);
};

}  // namespace defter::httpd
