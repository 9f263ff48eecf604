// `defter serve`: HTTP/1.1 with keep-alive on Boost.Beast (Asio), serving
// the JSON API of api.hpp.
//
// Threads: each of `threads` threads runs an io_context of its own, and a
// new connection goes to the one with the fewest open connections; each
// thread has its own ApiWorker (and so its own Xapian readers). Searches,
// suggestions and facets go to `search_threads` threads of their own, each
// with a time budget, so that expensive searches never hold up health
// checks, article reads or writes.
//
// A request's body is read only when its header shows a PUT or POST that
// may write (a valid write token): anything else is answered from its
// header and the connection closed. `Expect: 100-continue` is answered with
// 100 once the body is wanted. Ambiguous framing (no Host or two, two
// Authorization or Content-Length headers, Transfer-Encoding with
// Content-Length or not ending in chunked: 400; another coding: 501) is
// answered and the connection closed. Every socket
// operation is asynchronous, so a slow or stalled client holds a connection,
// never a thread; connections are bounded by max_connections (beyond it: 503 with Retry-After).
//
// Limits, each answered with its status: a request line and headers over
// max_header_bytes (414 when the target alone is too long, else 431), a
// target over max_target_bytes (414), a body over max_body_bytes (413), a
// PUT or POST with neither Content-Length nor chunked encoding (411), a
// request not complete within request_timeout (the connection is closed),
// no request within idle_timeout on a kept-alive connection (closed), more
// than rate_limit requests a second from one address (429).
//
// Shutdown (stop(), or SIGTERM/SIGINT when handle_signals): the listener
// closes, idle connections close, requests in flight are answered with
// "Connection: close", then run() returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "defter/archive/archive.hpp"
#include "defter/httpd/api.hpp"
#include "defter/schema/status.hpp"

namespace defter::httpd {

namespace detail {
class Session;
}

enum class LogFormat { kText, kJson, kNone };

struct ServerOptions {
  std::filesystem::path data = "./defter-data";
  // The archive of `data`, when the caller has it open already (LMDB allows
  // one environment per process); nullptr: the server opens it.
  archive::Archive* archive = nullptr;
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (port() tells which)
  unsigned threads = 0;       // 0: one per core
  // Searches, suggestions and facets run on threads of their own (0: as
  // many as `threads`), at most max_queued_searches waiting (beyond: 503),
  // each within search_timeout (0: none; beyond: 503 with Retry-After).
  unsigned search_threads = 0;
  std::size_t max_queued_searches = 64;
  std::chrono::milliseconds search_timeout{3000};
  std::size_t max_connections = 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_target_bytes = 8 * 1024;
  std::size_t max_body_bytes = 64u << 20;
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds shutdown_grace{10000};  // then connections still open are closed
  double rate_limit = 0;  // requests per second per client address (bursts of twice that); 0: none
  std::size_t max_page_size = indexer::kMaxPageSize;
  std::size_t max_export = 1000;  // most articles an export of a search holds
  bool require_read_token = false;  // reads need a token too (any scope); writes always need write
  std::vector<std::string> cors_origins;  // origins whose pages may call the API (CORS); "*": any
  // OAI-PMH (ApiOptions has what each means).
  std::string oai_name = "defter";
  std::string oai_admin_email = "archivist@defter.invalid";
  std::string oai_repository_id = "defter";
  std::size_t oai_page_size = 100;
  // Compressed articles and authors kept by version (ETag), shared by the
  // threads: each version is compressed once (0: compressed every time).
  std::size_t gzip_cache_bytes = std::size_t{256} << 20;
  bool handle_signals = false;  // SIGTERM and SIGINT stop the server
  LogFormat log_format = LogFormat::kText;
  std::ostream* log = nullptr;  // access and error log; nullptr: standard error
};

class Server {
 public:
  // Opens the archive (creating it when missing) and binds the listener.
  // kIOError when the address cannot be bound (in use, not local).
  static Result<std::unique_ptr<Server>> open(const ServerOptions& options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;  // the bound port
  // Serves until stop() (or a signal when handle_signals). Thread-safe to
  // call stop() from any thread, once run() may have started.
  void run();
  void stop();

 private:
  friend class detail::Session;
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace defter::httpd
