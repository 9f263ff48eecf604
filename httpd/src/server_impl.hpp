// The server's state: its threads and their contexts, the listener, the
// sessions, the indexing loop, the access log and metrics (internal to
// httpd/). session.hpp holds one connection; server.cpp starts and stops.
#pragma once

#include "server_support.hpp"

namespace defter::httpd {

using namespace detail;

namespace detail {
class Session;
}  // namespace detail

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  ServerOptions options;
  ApiOptions api_options;
  std::unique_ptr<archive::Archive> owned_archive;
  archive::Archive* archive = nullptr;
  // One io_context per server thread, each run by that thread alone: a
  // connection's handlers all run on the thread that accepted it, without
  // strands or handing work between threads. `io` (the first) also runs the
  // acceptor, the signals and the shutdown timer.
  unsigned thread_count;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::unique_ptr<std::atomic<std::size_t>[]> context_load;  // open connections per context
  asio::io_context& io;
  tcp::acceptor acceptor{io};
  asio::steady_timer grace{io};
  std::optional<asio::signal_set> signals;
  // Searches (and suggest, facets) run on threads of their own, so that
  // however long they take, the I/O threads go on answering everything else.
  unsigned search_thread_count;
  asio::io_context search_io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keep_searching;
  std::atomic<std::size_t> searches_waiting{0};  // posted, not yet started
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
  Metrics metrics;
  RateLimiter limiter;
  GzipCache gzip_cache;
  std::mutex log_mutex;
  std::mutex sessions_mutex;
  std::set<std::weak_ptr<detail::Session>, std::owner_less<std::weak_ptr<detail::Session>>> sessions;
  // Keeps the index up to date (indexer/live_index.hpp: the server's
  // indexing policy); started by run().
  std::unique_ptr<indexer::LiveIndexer> live;
  std::mutex live_mutex;
  std::unique_ptr<indexer::ServingMark> serving;

  explicit Impl(const ServerOptions& o)
      : options(o),
        thread_count(o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency())),
        contexts(make_contexts(thread_count)),
        context_load(new std::atomic<std::size_t>[thread_count]()),
        io(*contexts[0]),
        search_thread_count(o.search_threads ? o.search_threads : thread_count),
        search_io(static_cast<int>(search_thread_count)),
        limiter(o.rate_limit),
        gzip_cache(o.gzip_cache_bytes) {
    for (auto& c : contexts) keep_running.push_back(asio::make_work_guard(*c));
    keep_searching.emplace(asio::make_work_guard(search_io));
    api_options.search_budget = o.search_timeout;
    api_options.data = o.data;
    api_options.max_page_size = o.max_page_size;
    api_options.max_export = o.max_export;
    api_options.require_read_token = o.require_read_token;
    api_options.cors_origins = o.cors_origins;
    api_options.oai_name = o.oai_name;
    api_options.oai_admin_email = o.oai_admin_email;
    api_options.oai_repository_id = o.oai_repository_id;
    api_options.oai_page_size = o.oai_page_size;
    api_options.on_write = [this](const std::vector<std::pair<schema::RecordType, std::string>>& records) {
      std::lock_guard lock(live_mutex);
      if (live) live->index_first(records);
    };
  }

  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(unsigned n) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (unsigned i = 0; i < n; ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  // The context with the fewest open connections.
  std::size_t least_loaded() const {
    std::size_t best = 0;
    for (std::size_t i = 1; i < thread_count; ++i)
      if (context_load[i].load() < context_load[best].load()) best = i;
    return best;
  }

  void stop_all() {
    for (auto& g : keep_running) g.reset();
    keep_searching.reset();
    for (auto& c : contexts) c->stop();
    search_io.stop();
  }

  void start_indexer() {
    std::lock_guard lock(live_mutex);
    live = std::make_unique<indexer::LiveIndexer>(*archive, indexer::DataDir(options.data).index_options(),
                                                  [this](const std::string& e) { log_error(e); });
  }

  void stop_indexer() {
    std::unique_ptr<indexer::LiveIndexer> stopped;
    {
      std::lock_guard lock(live_mutex);
      stopped = std::move(live);
    }
    stopped.reset();  // stops it, outside the lock a write may wait for
  }

  std::ostream& log_stream() { return options.log ? *options.log : std::cerr; }

  void log_error(const std::string& what) {
    if (options.log_format == LogFormat::kNone) return;
    std::lock_guard lock(log_mutex);
    if (options.log_format == LogFormat::kJson)
      log_stream() << nlohmann::json({{"level", "error"}, {"message", what}}).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    else
      log_stream() << "error: " << schema::printable(what) << "\n";
    log_stream().flush();
  }

  // One line a request; `token` names the token it presented (or "").
  void log_request(const std::string& client, const Request& req, const std::string& route, unsigned status,
                   std::size_t bytes, double ms, const std::string& token) {
    if (options.log_format == LogFormat::kNone) return;
    std::string method(req.method_string());
    std::string target = printable(sv(req.target()));
    std::lock_guard lock(log_mutex);
    if (options.log_format == LogFormat::kJson) {
      nlohmann::json line = {{"client", client}, {"method", printable(method)}, {"target", target},
                             {"route", route}, {"status", status}, {"bytes", bytes}, {"ms", std::round(ms * 1000) / 1000}};
      if (!token.empty()) line["token"] = printable(token);
      log_stream() << line.dump() << "\n";
    } else {
      char line[64];
      std::snprintf(line, sizeof line, "%u %zu %.3fms", status, bytes, ms);
      log_stream() << client << " \"" << printable(method) << " " << target << "\" " << line << " " << route
                   << (token.empty() ? "" : " token=" + printable(token)) << "\n";
    }
    log_stream().flush();
  }

  void accept();
  void begin_stop();
  void maybe_finish() {
    if (stopping && connections.load() == 0) stop_all();
  }

  // The server's own route: Prometheus text.
  Response metrics_response() {
    std::string out;
    metrics.render(out);
    out += "# HELP defter_connections Open client connections.\n# TYPE defter_connections gauge\n";
    out += "defter_connections " + std::to_string(connections.load()) + "\n";
    auto gz = gzip_cache.figures();
    out += "# HELP defter_gzip_cache_bytes Compressed responses kept, by version.\n# TYPE defter_gzip_cache_bytes gauge\n";
    out += "defter_gzip_cache_bytes " + std::to_string(gz.bytes) + "\n";
    out += "# HELP defter_gzip_cache_hits_total Compressed responses served from the cache.\n# TYPE defter_gzip_cache_hits_total counter\n";
    out += "defter_gzip_cache_hits_total " + std::to_string(gz.hits) + "\n";
    out += "# HELP defter_gzip_cache_misses_total Responses compressed and kept.\n# TYPE defter_gzip_cache_misses_total counter\n";
    out += "defter_gzip_cache_misses_total " + std::to_string(gz.misses) + "\n";
    if (auto snap = archive->snapshot(); snap.ok()) {
      out += "# HELP defter_archive_last_change The archive's newest change number.\n# TYPE defter_archive_last_change gauge\n";
      out += "defter_archive_last_change " + std::to_string(snap->last_seq()) + "\n";
    }
    if (auto ix = indexer::index_stats(indexer::DataDir(options.data).index_options()); ix.ok()) {
      out += "# HELP defter_index_last_change The newest archive change the index holds.\n# TYPE defter_index_last_change gauge\n";
      out += "defter_index_last_change " + std::to_string(ix->last_seq) + "\n";
      out += "# HELP defter_index_documents Documents in the index, by language.\n# TYPE defter_index_documents gauge\n";
      // At most kMetricLanguages series: the languages with the most
      // documents, the rest summed as lang="other".
      auto langs = ix->languages;
      std::stable_sort(langs.begin(), langs.end(), [](const auto& a, const auto& b) { return a.documents > b.documents; });
      std::uint64_t other = 0;
      for (std::size_t i = 0; i < langs.size(); ++i) {
        if (i >= kMetricLanguages) {
          other += langs[i].documents;
          continue;
        }
        out += "defter_index_documents{lang=\"" + printable(langs[i].lang, 64) + "\"} " + std::to_string(langs[i].documents) + "\n";
      }
      if (langs.size() > kMetricLanguages) out += "defter_index_documents{lang=\"other\"} " + std::to_string(other) + "\n";
      // The index's age: since its newest file was written.
      std::error_code ec;
      auto newest = std::filesystem::file_time_type::min();
      for (const auto& e : std::filesystem::recursive_directory_iterator(indexer::DataDir(options.data).index_dir(), ec))
        if (e.is_regular_file(ec)) newest = std::max(newest, e.last_write_time(ec));
      if (newest != std::filesystem::file_time_type::min()) {
        double age = std::chrono::duration<double>(std::filesystem::file_time_type::clock::now() - newest).count();
        out += "# HELP defter_index_age_seconds Seconds since the index was last written.\n# TYPE defter_index_age_seconds gauge\n";
        char v[64];
        std::snprintf(v, sizeof v, "%.3f", std::max(0.0, age));
        out += std::string("defter_index_age_seconds ") + v + "\n";
      }
    }
    Response res{http::status::ok, 11};
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = std::move(out);
    return res;
  }
};

}  // namespace defter::httpd
