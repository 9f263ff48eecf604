// One HTTP connection (internal to httpd/): reading the header first,
// framing checks, authorisation before any body, the worker or search
// pool, keep-alive, lingering close, time limits.
#pragma once

#include "server_impl.hpp"

namespace defter::httpd {

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
      self->send(std::move(res), "overloaded", nullptr);
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
    send(std::move(res), "invalid", nullptr);
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
    } else if (body_method && !req.has_content_length() && !req.chunked() && ApiWorker::accepts(sv(req.target()), req.method())) {
      // A body's length matters only where the method is right: POST to a
      // GET-only resource is told 405 (by the worker), whatever its body.
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
    if (!outcome.error.empty())
      server_->log_error((outcome.request_id.empty() ? "" : "request " + outcome.request_id + ": ") + outcome.route + ": " +
                         outcome.error);
    if (!outcome.stream) finish(req, res, outcome.route);
    bool keep = req.keep_alive() && !server_->stopping && res.keep_alive() && !body_unread_;
    res.version(req.version());
    res.keep_alive(keep);
    if (outcome.stream)
      return send_stream(std::move(res), outcome.stream, outcome.route, &req, outcome.token);
    send(std::move(res), outcome.route, &req, outcome.token);
  }

  // ETags, gzip and HEAD on a response about to be sent.
  void finish(const Request& req, Response& res, const std::string& route) {
    std::string tag;  // a record's version: its compressed body is kept by it
    if (res.result() == http::status::ok && (route == "article" || route == "article_view" || route == "author") && req.method() != http::verb::put) {
      tag = std::string(res[http::field::etag]);
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
      if (!tag.empty() && server_->options.gzip_cache_bytes > 0) {
        // Keyed by the version and the length (a 64-bit hash alone could
        // in principle name two bodies).
        std::string key = tag + ":" + std::to_string(res.body().size());
        if (auto z = server_->gzip_cache.get(key, [&] { return gzip(res.body()); })) {
          res.body() = **z;
          res.set(http::field::content_encoding, "gzip");
        }
      } else if (auto z = gzip(res.body())) {
        res.body() = std::move(*z);
        res.set(http::field::content_encoding, "gzip");
      }
    }
    if (res.body().size() >= 1024 || res.count(http::field::content_encoding) > 0) {
      // Kept beside what the answer already varies on (Origin, under CORS).
      std::string vary(res[http::field::vary]);
      res.set(http::field::vary, vary.empty() ? "Accept-Encoding" : vary + ", Accept-Encoding");
    }
    res.prepare_payload();
    if (req.method() == http::verb::head) {
      auto length = res.body().size();
      res.body().clear();
      res.content_length(length);
    }
  }

  // What the log line and the metrics say of a response once it is sent,
  // and whether the connection closes after it. `logged` is the
  // request's method and target (not its headers, which may hold a token,
  // nor its body); `token` the name of the token it presented (never its
  // secret).
  struct Sent {
    std::string route, token;
    std::optional<Request> logged;
    Clock::time_point started;
    unsigned status = 0;
    std::size_t bytes = 0;
    bool close_after = false;
  };

  Sent sent_of(const Response& res, std::string route, const Request* req, std::string token) const {
    Sent s;
    s.route = std::move(route);
    s.token = std::move(token);
    if (req) s.logged.emplace(req->method(), req->target(), req->version());
    else s.logged.emplace(http::verb::unknown, "-", 11);
    s.started = started_;
    s.status = res.result_int();
    s.close_after = !res.keep_alive();
    return s;
  }

  // A response written (or failed, `ec`): logged, counted, then the
  // connection goes on or closes.
  void after_send(const Sent& s, beast::error_code ec) {
    double seconds = std::chrono::duration<double>(Clock::now() - s.started).count();
    server_->metrics.record(s.route, s.status, seconds);
    server_->log_request(client_, *s.logged, s.route, s.status, s.bytes, seconds * 1000, s.token);
    if (!ec && s.close_after && body_unread_) return linger();
    if (ec || s.close_after) return close();
    wait_for_request();
  }

  void send(Response res, std::string route, const Request* req, std::string token = {}) {
    res.set(http::field::server, "defter");
    if (!res.has_content_length() && res.result() != http::status::not_modified) res.prepare_payload();
    auto response = std::make_shared<Response>(std::move(res));
    auto sent = std::make_shared<Sent>(sent_of(*response, std::move(route), req, std::move(token)));
    sent->bytes = response->body().size();
    stream_.expires_after(server_->options.request_timeout);
    http::async_write(stream_, *response, [self = shared_from_this(), response, sent](beast::error_code ec, std::size_t) {
      self->after_send(*sent, ec);
    });
  }

  // A streamed response: its header (chunked), then each piece of the
  // body as a chunk as the stream makes it, then the last chunk; HEAD
  // gets the header alone. A stream that fails closes the connection
  // before the last chunk, so the client sees the body cut short.
  struct Streaming {
    http::response<http::empty_body> header;
    std::optional<http::response_serializer<http::empty_body>> serializer;
    std::shared_ptr<BodyStream> body;
    Sent sent;
  };

  void send_stream(Response res, std::shared_ptr<BodyStream> body, std::string route, const Request* req,
                   std::string token) {
    auto s = std::make_shared<Streaming>();
    s->header.result(res.result());
    s->header.version(res.version());
    for (const auto& field : res) s->header.set(field.name_string(), field.value());
    s->header.set(http::field::server, "defter");
    s->header.keep_alive(res.keep_alive());
    s->header.chunked(true);
    s->serializer.emplace(s->header);
    s->body = req->method() == http::verb::head ? nullptr : std::move(body);
    s->sent = sent_of(res, std::move(route), req, std::move(token));
    stream_.expires_after(server_->options.request_timeout);
    http::async_write_header(stream_, *s->serializer, [self = shared_from_this(), s](beast::error_code ec, std::size_t) {
      if (ec || !s->body) return self->after_send(s->sent, ec);
      self->stream_next(s);
    });
  }

  void stream_next(const std::shared_ptr<Streaming>& s) {
    std::optional<std::string> piece;
    try {
      piece = s->body->next();
    } catch (const Status& st) {
      server_->log_error(s->sent.route + ": the streamed body failed: " + st.message());
      return after_send(s->sent, asio::error::operation_aborted);
    } catch (const std::exception& e) {
      server_->log_error(s->sent.route + ": the streamed body failed: " + e.what());
      return after_send(s->sent, asio::error::operation_aborted);
    }
    stream_.expires_after(server_->options.request_timeout);
    if (!piece) {
      return asio::async_write(stream_, http::make_chunk_last(), [self = shared_from_this(), s](beast::error_code ec, std::size_t) {
        self->after_send(s->sent, ec);
      });
    }
    if (piece->empty()) return stream_next(s);  // an empty chunk would end the body
    auto data = std::make_shared<std::string>(std::move(*piece));
    s->sent.bytes += data->size();
    asio::async_write(stream_, http::make_chunk(asio::buffer(*data)),
                      [self = shared_from_this(), s, data](beast::error_code ec, std::size_t) {
                        if (ec) return self->after_send(s->sent, ec);
                        self->stream_next(s);
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

}  // namespace defter::httpd
