#include "session.hpp"

namespace defter::httpd {

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
    auto a = indexer::DataDir(options.data).open_archive();
    if (!a) return a.status();
    impl->owned_archive = std::move(*a);
    impl->archive = impl->owned_archive.get();
  }
  auto mark = indexer::ServingMark::take(indexer::DataDir(options.data).index_options());
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
  impl->start_indexer();
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
