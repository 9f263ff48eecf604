#include "defter/httpd/server.hpp"

#include <zlib.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "defter/indexer/index.hpp"
#include "defter/schema/text.hpp"

namespace defter::httpd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Each server thread's API state (its Xapian readers).
thread_local ApiWorker* tls_worker = nullptr;

// gzip of body (zlib's deflate with a gzip wrapper); nullopt on failure.
// Level 1: on the archive's text it compresses several times as fast as
// zlib's default for a slightly larger result, and a response is compressed
// on every request. Each thread keeps its deflate state (some 260 KiB that
// zlib would otherwise allocate and clear per response).
std::optional<std::string> gzip(const std::string& body) {
  struct Deflater {
    z_stream z{};
    bool ok = deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    ~Deflater() {
      if (ok) deflateEnd(&z);
    }
  };
  thread_local Deflater d;
  if (!d.ok || deflateReset(&d.z) != Z_OK) return std::nullopt;
  std::string out(deflateBound(&d.z, static_cast<uLong>(body.size())), '\0');
  d.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  d.z.avail_in = static_cast<uInt>(body.size());
  d.z.next_out = reinterpret_cast<Bytef*>(out.data());
  d.z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&d.z, Z_FINISH);
  out.resize(d.z.total_out);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

// Whether an Accept-Encoding header accepts gzip (not with q=0).
bool accepts_gzip(std::string_view header) {
  std::size_t p = 0;
  while (p < header.size()) {
    std::size_t comma = header.find(',', p);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view item = header.substr(p, comma - p);
    p = comma + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    std::size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding != "gzip" && coding != "*") continue;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      std::size_t q = params.find("q=");
      if (q != std::string_view::npos) {
        double v = std::atof(std::string(params.substr(q + 2)).c_str());
        if (v <= 0) continue;
      }
    }
    return true;
  }
  return false;
}

// A request target as it may appear in a log line: printable ASCII only.
std::string printable(std::string_view s, std::size_t max = 2048) {
  std::string out;
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F || c == '"' || c == '\\') {
      static const char* hex = "0123456789ABCDEF";
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 0xF];
    } else {
      out += c;
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

// The most languages /metrics names one by one (a series each).
constexpr std::size_t kMetricLanguages = 32;

// Requests and latency per route and status, for /metrics.
class Metrics {
 public:
  static constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  static constexpr std::size_t kBucketCount = sizeof(kBuckets) / sizeof(kBuckets[0]);

  void record(const std::string& route, unsigned status, double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{route, status}];
    auto& h = latency_[route];
    if (h.buckets.empty()) h.buckets.assign(kBucketCount, 0);
    for (std::size_t i = 0; i < kBucketCount; ++i)
      if (seconds <= kBuckets[i]) ++h.buckets[i];
    ++h.count;
    h.sum += seconds;
  }

  void render(std::string& out) const {
    std::lock_guard lock(mutex_);
    out += "# HELP defter_http_requests_total HTTP requests answered, by route and status.\n"
           "# TYPE defter_http_requests_total counter\n";
    for (const auto& [key, n] : requests_)
      out += "defter_http_requests_total{route=\"" + key.first + "\",status=\"" + std::to_string(key.second) + "\"} " +
             std::to_string(n) + "\n";
    out += "# HELP defter_http_request_duration_seconds Time from a request's arrival to its answer, by route.\n"
           "# TYPE defter_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
      for (std::size_t i = 0; i < kBucketCount; ++i) {
        char le[32];
        std::snprintf(le, sizeof le, "%g", kBuckets[i]);
        out += "defter_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"" + le + "\"} " +
               std::to_string(h.buckets[i]) + "\n";
      }
      out += "defter_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"+Inf\"} " +
             std::to_string(h.count) + "\n";
      char sum[64];
      std::snprintf(sum, sizeof sum, "%.6f", h.sum);
      out += "defter_http_request_duration_seconds_sum{route=\"" + route + "\"} " + sum + "\n";
      out += "defter_http_request_duration_seconds_count{route=\"" + route + "\"} " + std::to_string(h.count) + "\n";
    }
  }

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

// Token buckets per client address.
class RateLimiter {
 public:
  explicit RateLimiter(double per_second) : rate_(per_second), burst_(std::max(1.0, 2 * per_second)) {}

  // True when the client may make one more request now.
  bool allow(const std::string& client) {
    if (rate_ <= 0) return true;
    auto now = Clock::now();
    std::lock_guard lock(mutex_);
    if (buckets_.size() > 100000) buckets_.clear();  // a flood of addresses: start over rather than grow
    auto [it, added] = buckets_.try_emplace(client, Bucket{burst_, now});
    Bucket& b = it->second;
    if (!added) {
      double elapsed = std::chrono::duration<double>(now - b.last).count();
      b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
      b.last = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  double rate_, burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace

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

namespace detail {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Server::Impl> server, std::size_t context)
      : stream_(std::move(socket)), server_(std::move(server)), context_(context) {
    ++server_->connections;
    ++server_->context_load[context_];
    beast::error_code ec;
    auto remote = stream_.socket().remote_endpoint(ec);
    client_ = ec ? "-" : remote.address().to_string();
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  ~Session() {
    {
      // weak_from_this() still names this session's control block (expired).
      std::lock_guard lock(server_->sessions_mutex);
      server_->sessions.erase(weak_from_this());
    }
    --server_->context_load[context_];
    --server_->connections;
    if (server_->stopping && !server_->io.stopped()) asio::post(server_->io, [s = server_] { s->maybe_finish(); });
  }

  void start() {
    {
      std::lock_guard lock(server_->sessions_mutex);
      server_->sessions.insert(weak_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_for_request(); });
  }

  // Refuses the connection: the server has too many.
  void refuse() {
    {
      std::lock_guard lock(server_->sessions_mutex);
      server_->sessions.insert(weak_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      Response res = problem(Problem::kUnavailable, "the server has too many connections; try again shortly", 11, false);
      res.set(http::field::retry_after, "1");
      self->stream_.expires_after(std::chrono::seconds(5));
      self->send(std::move(res), "overloaded", Clock::now(), nullptr);
    });
  }

  // When the server is destroyed (no thread runs its handlers): closes the socket.
  void abort() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

  // On shutdown: closes the connection if it waits for a request.
  void close_if_idle() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->close();
    });
  }

 private:
  void wait_for_request() {
    idle_ = true;
    if (server_->stopping) return close();
    if (buffer_.size() > 0) return read_request();  // pipelined: the next request is here
    stream_.expires_after(server_->options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(8192), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->buffer_.commit(n);
      if (ec) return self->close();
      self->read_request();
    });
  }

  void read_request() {
    idle_ = false;
    body_unread_ = false;
    const auto& o = server_->options;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(o.max_header_bytes + o.max_target_bytes));
    parser_->body_limit(o.max_body_bytes);
    stream_.expires_after(o.request_timeout);
    started_ = Clock::now();
    // The header first: whether the body is read at all is decided from it.
    http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_header(ec);
    });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read(ec);
    const Request& header = parser_->get();
    if (auto refused = framing_problem(header)) return fail(refused->first, refused->second);
    bool has_body = parser_->chunked() || parser_->content_length().value_or(0) > 0;
    if (!has_body) return on_read({});
    // A body is read only for a request that may write it (a PUT or POST
    // with a valid token): anything else is answered from its header, and
    // the connection closes after, its body unread.
    if (!tls_worker || !tls_worker->admits_body(header)) {
      body_unread_ = true;
      return handle(parser_->release());
    }
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      auto interim = std::make_shared<http::response<http::empty_body>>(http::status::continue_, header.version());
      return http::async_write(stream_, *interim, [self = shared_from_this(), interim](beast::error_code e, std::size_t) {
        if (e) return self->close();
        self->read_body();
      });
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  // What makes a request's framing ambiguous (RFC 9112 sections 3.2, 6.1,
  // 6.3): answered, and the connection closed, before anything else.
  static std::optional<std::pair<Problem, std::string>> framing_problem(const Request& req) {
    auto count = [&](http::field f) { return req.count(f); };
    if (req.version() >= 11 && count(http::field::host) != 1)
      return std::pair{Problem::kBadRequest, std::string("an HTTP/1.1 request needs exactly one Host header")};
    if (count(http::field::host) > 1) return std::pair{Problem::kBadRequest, std::string("more than one Host header")};
    if (count(http::field::authorization) > 1)
      return std::pair{Problem::kBadRequest, std::string("more than one Authorization header")};
    if (count(http::field::content_length) > 1)
      return std::pair{Problem::kBadRequest, std::string("more than one Content-Length header")};
    if (count(http::field::transfer_encoding) == 0) return std::nullopt;
    if (count(http::field::content_length) > 0)
      return std::pair{Problem::kBadRequest, std::string("both Transfer-Encoding and Content-Length")};
    // The codings, in order: only "chunked", once and last, is understood.
    std::vector<std::string> codings;
    auto [first, last] = req.equal_range(http::field::transfer_encoding);
    for (auto it = first; it != last; ++it) {
      std::string_view v = sv(it->value());
      std::size_t p = 0;
      while (p <= v.size()) {
        std::size_t comma = std::min(v.find(',', p), v.size());
        std::string_view c = v.substr(p, comma - p);
        while (!c.empty() && (c.front() == ' ' || c.front() == '\t')) c.remove_prefix(1);
        while (!c.empty() && (c.back() == ' ' || c.back() == '\t')) c.remove_suffix(1);
        if (!c.empty()) codings.emplace_back(c);
        p = comma + 1;
      }
    }
    if (codings.empty() || !beast::iequals(codings.back(), "chunked"))
      return std::pair{Problem::kBadRequest, std::string("Transfer-Encoding must end with chunked")};
    if (codings.size() > 1)
      return std::pair{Problem::kNotImplemented, std::string("no transfer coding but chunked is supported")};
    return std::nullopt;
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof)
      return close();
    if (ec == http::error::header_limit) {
      // Until the request line is read, what is too long is the target;
      // after it, the header fields.
      bool line_done = !parser_->get().target().empty();
      return fail(line_done ? Problem::kHeadersTooLarge : Problem::kUriTooLong,
                  line_done ? "the request's header fields are too large" : "the request target is too long");
    }
    if (ec == http::error::body_limit) return fail(Problem::kPayloadTooLarge, "the request body is too large");
    if (ec) return fail(Problem::kBadRequest, "the request is not valid HTTP/1.1 (" + ec.message() + ")");
    Request req = parser_->release();
    handle(std::move(req));
  }

  // Answers an unreadable request and closes the connection.
  void fail(Problem p, const std::string& detail) {
    Response res = problem(p, detail, 11, false);
    send(std::move(res), "invalid", started_, nullptr);
  }

  void handle(Request req) {
    const auto& o = server_->options;
    ApiWorker::Outcome outcome;
    Response res;
    std::size_t header_bytes = 0;
    for (const auto& f : req) header_bytes += f.name_string().size() + f.value().size() + 4;
    bool body_method = req.method() == http::verb::put || req.method() == http::verb::post;
    std::string route = ApiWorker::route_of(sv(req.target()));
    if (req.target().size() > o.max_target_bytes) {
      res = problem(Problem::kUriTooLong, "the request target is longer than " + std::to_string(o.max_target_bytes) + " bytes");
    } else if (header_bytes > o.max_header_bytes) {
      res = problem(Problem::kHeadersTooLarge, "the header fields are larger than " + std::to_string(o.max_header_bytes) + " bytes");
    } else if (!server_->limiter.allow(client_)) {
      res = problem(Problem::kTooManyRequests, "more than the allowed requests a second from this address");
      res.set(http::field::retry_after, "1");
      outcome.route = "limited";
    } else if (body_method && !req.has_content_length() && !req.chunked()) {
      res = problem(Problem::kLengthRequired, "a request body needs a Content-Length");
    } else if (route == "metrics") {
      outcome.route = "metrics";
      if (req.method() != http::verb::get && req.method() != http::verb::head) {
        res = problem(Problem::kMethodNotAllowed, "this resource answers GET and HEAD");
        res.set(http::field::allow, "GET, HEAD");
      } else if (auto refused = tls_worker ? tls_worker->authorize_read(req, route) : std::nullopt) {
        res = std::move(*refused);
      } else {
        res = server_->metrics_response();
      }
    } else if (route == "search" || route == "suggest" || route == "facets") {
      return search(std::move(req), route);
    } else {
      res = tls_worker ? tls_worker->handle(req, outcome)
                       : problem(Problem::kUnavailable, "the server is starting");
    }
    complete(std::move(req), std::move(res), outcome);
  }

  // Runs a search on the search threads, then answers it on this one.
  void search(Request req, const std::string& route) {
    auto& srv = *server_;
    if (srv.searches_waiting.load() >= srv.options.max_queued_searches) {
      Response res = problem(Problem::kUnavailable, "the server has too many searches waiting; try again shortly");
      res.set(http::field::retry_after, "1");
      ApiWorker::Outcome outcome;
      outcome.route = route;
      return complete(std::move(req), std::move(res), outcome);
    }
    ++srv.searches_waiting;
    auto request = std::make_shared<Request>(std::move(req));
    asio::post(srv.search_io, [self = shared_from_this(), request] {
      --self->server_->searches_waiting;
      auto outcome = std::make_shared<ApiWorker::Outcome>();
      auto res = std::make_shared<Response>(
          tls_worker ? tls_worker->handle(*request, *outcome) : problem(Problem::kUnavailable, "the server is stopping"));
      asio::post(self->stream_.get_executor(), [self, request, outcome, res] {
        self->complete(std::move(*request), std::move(*res), *outcome);
      });
    });
  }

  // Logs, finishes and sends a request's answer.
  void complete(Request req, Response res, const ApiWorker::Outcome& outcome) {
    if (!outcome.error.empty()) server_->log_error(outcome.route + ": " + outcome.error);
    finish(req, res, outcome.route);
    bool keep = req.keep_alive() && !server_->stopping && res.keep_alive() && !body_unread_;
    res.version(req.version());
    res.keep_alive(keep);
    send(std::move(res), outcome.route, started_, &req);
  }

  // ETags, gzip and HEAD on a response about to be sent.
  void finish(const Request& req, Response& res, const std::string& route) {
    if (res.result() == http::status::ok && (route == "article" || route == "article_view" || route == "author") && req.method() != http::verb::put) {
      std::string tag(res[http::field::etag]);
      if (tag.empty()) {
        tag = etag_of(res.body());
        res.set(http::field::etag, tag);
      }
      if (auto inm = req[http::field::if_none_match]; !inm.empty() && etag_matches(sv(inm), tag)) {
        res.result(http::status::not_modified);
        res.body().clear();
        res.erase(http::field::content_type);
        return;
      }
    }
    if (res.body().size() >= 1024 && accepts_gzip(sv(req[http::field::accept_encoding]))) {
      if (auto z = gzip(res.body())) {
        res.body() = std::move(*z);
        res.set(http::field::content_encoding, "gzip");
      }
    }
    if (res.body().size() >= 1024 || res.count(http::field::content_encoding) > 0) res.set(http::field::vary, "Accept-Encoding");
    res.prepare_payload();
    if (req.method() == http::verb::head) {
      auto length = res.body().size();
      res.body().clear();
      res.content_length(length);
    }
  }

  void send(Response res, std::string route, Clock::time_point started, const Request* req) {
    res.set(http::field::server, "defter");
    if (!res.has_content_length() && res.result() != http::status::not_modified) res.prepare_payload();
    auto response = std::make_shared<Response>(std::move(res));
    bool close_after = !response->keep_alive();
    unsigned status = response->result_int();
    std::size_t bytes = response->body().size();
    // What the log line needs of the request: its method and target (not
    // its headers, which may hold a token, nor its body).
    std::optional<Request> logged;
    if (req) logged.emplace(req->method(), req->target(), req->version());
    else logged.emplace(http::verb::unknown, "-", 11);
    stream_.expires_after(server_->options.request_timeout);
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response, close_after, status, bytes, started, route = std::move(route),
                       logged = std::move(logged)](beast::error_code ec, std::size_t) {
                        double seconds = std::chrono::duration<double>(Clock::now() - started).count();
                        self->server_->metrics.record(route, status, seconds);
                        self->server_->log_request(self->client_, *logged, route, status, bytes, seconds * 1000);
                        if (!ec && close_after && self->body_unread_) return self->linger();
                        if (ec || close_after) return self->close();
                        self->wait_for_request();
                      });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  // After answering a request whose body was not read: stops sending, then
  // reads and drops what the client still sends (up to a second and 1 MiB)
  // before closing. Closing with unread data would reset the connection,
  // and a reset can destroy the answer before the client reads it.
  void linger(std::size_t dropped = 0) {
    if (dropped == 0) {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      stream_.expires_after(std::chrono::seconds(1));
    }
    if (dropped >= (std::size_t{1} << 20)) return close();
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(16384), [self = shared_from_this(), dropped](beast::error_code ec, std::size_t n) {
      if (ec) return self->close();
      self->linger(dropped + n);
    });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<Server::Impl> server_;
  std::size_t context_;  // the index of the io_context that runs this session
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string client_;
  Clock::time_point started_ = Clock::now();
  bool idle_ = true;
  bool body_unread_ = false;  // the request's body was not read: close after answering
};

}  // namespace detail

using detail::Session;

void Server::Impl::accept() {
  std::size_t context = least_loaded();
  acceptor.async_accept(*contexts[context], [self = shared_from_this(), context](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || self->stopping) return;
      self->log_error("accept: " + ec.message());
    } else if (self->stopping) {
      beast::error_code ignored;
      socket.close(ignored);
      return;
    } else {
      bool over = self->connections.load() >= self->options.max_connections;
      auto session = std::make_shared<Session>(std::move(socket), self, context);
      if (over) session->refuse();
      else session->start();
    }
    self->accept();
  });
}

void Server::Impl::begin_stop() {
  if (stopping.exchange(true)) return;
  beast::error_code ec;
  acceptor.close(ec);
  if (signals) signals->cancel(ec);
  std::vector<std::shared_ptr<detail::Session>> open;
  {
    std::lock_guard lock(sessions_mutex);
    // The set keeps them all (each leaves it when it ends): ~Server closes
    // the ones still busy when the grace period runs out.
    for (const auto& w : sessions)
      if (auto s = w.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) s->close_if_idle();
  open.clear();
  grace.expires_after(options.shutdown_grace);
  grace.async_wait([self = shared_from_this()](beast::error_code e) {
    if (!e) self->stop_all();
  });
  maybe_finish();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() {
  // Pending operations' handlers hold the state (and sessions) alive: close
  // everything, then let those handlers run, failed, and let go of it.
  Impl& impl = *impl_;
  impl.stop_indexer();
  impl.stopping = true;
  impl.stop_all();
  beast::error_code ec;
  impl.acceptor.close(ec);
  impl.grace.cancel();
  if (impl.signals) impl.signals->cancel(ec);
  std::vector<std::shared_ptr<detail::Session>> open;
  {
    std::lock_guard lock(impl.sessions_mutex);
    for (const auto& w : impl.sessions)
      if (auto s = w.lock()) open.push_back(std::move(s));
    impl.sessions.clear();
  }
  for (auto& s : open) s->abort();
  open.clear();
  // A handler run on one context may post to another (a session's end
  // tells the first context): until none runs any.
  for (std::size_t ran = 1; ran > 0;) {
    ran = 0;
    for (auto& c : impl.contexts) {
      c->restart();
      ran += c->poll();
    }
    impl.search_io.restart();
    ran += impl.search_io.poll();
  }
}

Result<std::unique_ptr<Server>> Server::open(const ServerOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  if (options.archive) {
    impl->archive = options.archive;
  } else {
    archive::Options ao;
    ao.dir = options.data / "archive";
    auto a = archive::Archive::open(ao);
    if (!a) return a.status();
    impl->owned_archive = std::move(*a);
    impl->archive = impl->owned_archive.get();
  }
  indexer::IndexOptions io_options;
  io_options.dir = options.data / "index";
  auto mark = indexer::ServingMark::take(io_options);
  if (!mark) return mark.status().code() == Code::kLocked
                        ? Status(Code::kLocked, "another defter serve serves " + options.data.string())
                        : mark.status();
  impl->serving = std::move(*mark);
  beast::error_code ec;
  auto address = asio::ip::make_address(options.bind, ec);
  if (ec) return Status(Code::kInvalidArgument, "--bind " + options.bind + " is not an IP address");
  tcp::endpoint endpoint(address, options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Status(Code::kIOError, "cannot listen on " + options.bind + ":" + std::to_string(options.port) + ": " + ec.message());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::uint16_t Server::port() const {
  beast::error_code ec;
  auto e = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : e.port();
}

void Server::run() {
  auto impl = impl_;
  if (impl->options.handle_signals) {
    impl->signals.emplace(impl->io, SIGINT, SIGTERM);
    impl->signals->async_wait([impl](beast::error_code ec, int) {
      if (!ec) impl->begin_stop();
    });
  }
  impl->accept();
  impl->indexer = std::thread([impl] { impl->index_loop(); });
  auto serve = [impl](asio::io_context& context) {
    ApiWorker worker(impl->api_options, *impl->archive);
    tls_worker = &worker;
    for (;;) {
      try {
        context.run();
        break;
      } catch (const std::exception& e) {
        impl->log_error(std::string("a request handler threw: ") + e.what());
      }
    }
    tls_worker = nullptr;
  };
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < impl->thread_count; ++i) threads.emplace_back(serve, std::ref(*impl->contexts[i]));
  for (unsigned i = 0; i < impl->search_thread_count; ++i) threads.emplace_back(serve, std::ref(impl->search_io));
  serve(impl->io);
  for (auto& t : threads) t.join();
  impl->stop_indexer();
}

void Server::stop() {
  asio::post(impl_->io, [impl = impl_] { impl->begin_stop(); });
}

}  // namespace defter::httpd
