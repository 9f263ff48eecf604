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
  std::mutex log_mutex;
  std::mutex sessions_mutex;
  std::set<std::weak_ptr<detail::Session>, std::owner_less<std::weak_ptr<detail::Session>>> sessions;
  // The indexer: makes the records written through the API searchable
  // first, then drains the archive's change log into the index in pieces
  // (so that API writes never wait behind a long import), after each write
  // and every quarter second for other writers.
  std::thread indexer;
  std::mutex index_mutex;
  std::condition_variable index_cv;
  bool index_wanted = true, index_stop = false;
  std::vector<std::pair<schema::RecordType, std::string>> urgent;  // written through the API, not yet indexed
  std::atomic<std::uint64_t> indexed_seq{0};
  std::unique_ptr<indexer::ServingMark> serving;
  // Records a piece of draining rebuilds: sized as it goes so that a piece
  // takes about a tenth of a second, the most an API write waits for one.
  std::size_t drain_piece = 32;

  explicit Impl(const ServerOptions& o)
      : options(o),
        thread_count(o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency())),
        contexts(make_contexts(thread_count)),
        context_load(new std::atomic<std::size_t>[thread_count]()),
        io(*contexts[0]),
        search_thread_count(o.search_threads ? o.search_threads : thread_count),
        search_io(static_cast<int>(search_thread_count)),
        limiter(o.rate_limit) {
    for (auto& c : contexts) keep_running.push_back(asio::make_work_guard(*c));
    keep_searching.emplace(asio::make_work_guard(search_io));
    api_options.search_budget = o.search_timeout;
    api_options.data = o.data;
    api_options.max_page_size = o.max_page_size;
    api_options.require_read_token = o.require_read_token;
    api_options.on_write = [this](const std::vector<std::pair<schema::RecordType, std::string>>& records) {
      std::lock_guard lock(index_mutex);
      urgent.insert(urgent.end(), records.begin(), records.end());
      index_wanted = true;
      index_cv.notify_one();
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

  std::vector<std::pair<schema::RecordType, std::string>> take_urgent() {
    std::lock_guard lock(index_mutex);
    return std::exchange(urgent, {});
  }

  // Holds the index's write lock only while it indexes, so that `defter
  // reindex` can take it in between.
  void index_loop() {
    indexer::IndexOptions io_options;
    io_options.dir = options.data / "index";
    std::string last_error;
    std::unique_lock lock(index_mutex);
    while (!index_stop) {
      index_cv.wait_for(lock, std::chrono::milliseconds(250), [this] { return index_wanted || index_stop; });
      if (index_stop) break;
      index_wanted = false;
      bool pending = !urgent.empty();
      lock.unlock();
      std::uint64_t archive_seq = 0;
      if (auto snap = archive->snapshot(); snap.ok()) archive_seq = snap->last_seq();
      std::string error;
      if (pending || archive_seq > indexed_seq.load()) {
        auto writer = indexer::IndexWriter::open(io_options);
        auto held = Clock::now();
        if (writer) {
          for (;;) {
            if (auto records = take_urgent(); !records.empty()) {
              if (auto r = (*writer)->index_records(*archive, records); !r) {
                error = "indexing written records stopped: " + r.status().message();
                break;
              }
            }
            auto started = Clock::now();
            std::size_t piece = drain_piece;
            auto drained = (*writer)->drain(*archive, {}, piece);
            if (!drained) {
              error = "indexing stopped: " + drained.status().message();
              break;
            }
            indexed_seq = drained->last_seq;
            if (drained->units == piece) {
              auto took = Clock::now() - started;
              // Not below 16: each piece commits, and rescans what is left of the log.
              if (took > std::chrono::milliseconds(200)) drain_piece = std::max<std::size_t>(16, piece / 2);
              else if (took < std::chrono::milliseconds(50)) drain_piece = std::min<std::size_t>(1024, piece * 2);
            }
            // Lets go of the index at least once a second, so that another
            // writer waiting for it (defter backup, reindex) gets its turn.
            std::lock_guard stop_lock(index_mutex);
            bool done = drained->units < piece && urgent.empty();
            if (index_stop || done) break;
            if (Clock::now() - held > std::chrono::seconds(1)) {
              index_wanted = true;  // more to do: open it again at once
              break;
            }
          }
        } else if (writer.status().code() != Code::kLocked) {
          error = "cannot open the index for writing: " + writer.status().message();
        }
      }
      if (!error.empty() && error != last_error) log_error(error);
      last_error = error;
      lock.lock();
    }
  }

  void stop_indexer() {
    {
      std::lock_guard lock(index_mutex);
      index_stop = true;
      index_cv.notify_one();
    }
    if (indexer.joinable()) indexer.join();
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

  void log_request(const std::string& client, const Request& req, const std::string& route, unsigned status,
                   std::size_t bytes, double ms) {
    if (options.log_format == LogFormat::kNone) return;
    std::string method(req.method_string());
    std::string target = printable(sv(req.target()));
    std::lock_guard lock(log_mutex);
    if (options.log_format == LogFormat::kJson) {
      log_stream() << nlohmann::json({{"client", client}, {"method", printable(method)}, {"target", target},
                                      {"route", route}, {"status", status}, {"bytes", bytes}, {"ms", std::round(ms * 1000) / 1000}})
                          .dump()
                   << "\n";
    } else {
      char line[64];
      std::snprintf(line, sizeof line, "%u %zu %.3fms", status, bytes, ms);
      log_stream() << client << " \"" << printable(method) << " " << target << "\" " << line << " " << route << "\n";
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
    if (auto snap = archive->snapshot(); snap.ok()) {
      out += "# HELP defter_archive_last_change The archive's newest change number.\n# TYPE defter_archive_last_change gauge\n";
      out += "defter_archive_last_change " + std::to_string(snap->last_seq()) + "\n";
    }
    indexer::IndexOptions io_options;
    io_options.dir = options.data / "index";
    if (auto ix = indexer::index_stats(io_options); ix.ok()) {
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
      for (const auto& e : std::filesystem::recursive_directory_iterator(io_options.dir, ec))
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
