#include "server.hpp"

#include <boost/json.hpp>
#include <sluice/common/tcp_listen.hpp>
#include <sluice/common/tls_server.hpp>

#include "http_session.hpp"
#include "viewer_page.hpp"

namespace sluice::websocket {
namespace {

// The viewer learns where to connect and which fields it can filter on.
std::string render_viewer(const ServerOptions& options, const Hub& hub) {
  std::string html(viewer_page_html());
  boost::json::array fields;
  for (const auto& f : hub.options().index) fields.emplace_back(f.name);
  boost::json::object params;
  for (const auto& [param, field] : options.query_params) params[param] = field;
  boost::json::object config{{"path", options.paths.front()},
                             {"fields", std::move(fields)},
                             {"query_params", std::move(params)}};
  std::string json = boost::json::serialize(config);
  // Inside a <script> block "</" must not appear literally.
  for (size_t at = json.find("</"); at != std::string::npos; at = json.find("</", at + 2))
    json.replace(at, 2, "<\\/");
  const std::string placeholder = "\"__SLUICE_VIEWER_CONFIG__\"";
  if (auto at = html.find(placeholder); at != std::string::npos)
    html.replace(at, placeholder.size(), json);
  return html;
}

}  // namespace

Server::Server(const ServerOptions& options, Hub& hub, const Authenticator& auth, LogFn log)
    : options_(options),
      hub_(hub),
      viewer_html_(render_viewer(options, hub)),
      context_(
          ServerContext{options_, hub_, auth, viewer_html_, nullptr, counters_, std::move(log)}),
      ioc_(options.io_threads),
      acceptor_(ioc_),
      tick_(ioc_) {}

Server::~Server() { stop(); }

bool Server::start(std::string& error) {
  if (!options_.tls_cert.empty()) {
    tls_.emplace(ssl::context::tls_server);
    if (!common::load_tls_server(*tls_, options_.tls_cert, options_.tls_key, "", error))
      return false;
    context_->tls = &*tls_;
  }

  error = common::listen_tcp(acceptor_, options_.host, options_.port);
  if (!error.empty()) return false;
  port_ = acceptor_.local_endpoint().port();
  listening_ = true;
  do_accept();
  schedule_tick();
  for (int i = 0; i < options_.io_threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
  return true;
}

void Server::do_accept() {
  acceptor_.async_accept(net::make_strand(ioc_),
                         beast::bind_front_handler(&Server::on_accept, this));
}

void Server::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Out of file descriptors and the like: keep accepting, but not in a
    // hot loop.
    context_->log(LogLevel::kWarn, "accept failed: " + ec.message());
    auto pause = std::make_shared<net::steady_timer>(ioc_, std::chrono::milliseconds(100));
    pause->async_wait([this, pause](beast::error_code) { do_accept(); });
    return;
  }
  beast::error_code endpoint_ec;
  auto peer = socket.remote_endpoint(endpoint_ec);
  std::string remote =
      endpoint_ec ? "?" : peer.address().to_string() + ":" + std::to_string(peer.port());
  socket.set_option(tcp::no_delay(true), endpoint_ec);
  if (tls_) {
    std::make_shared<HttpSession<TlsStream>>(TlsStream(std::move(socket), *tls_), *context_,
                                             std::move(remote))
        ->run();
  } else {
    std::make_shared<HttpSession<PlainStream>>(PlainStream(std::move(socket)), *context_,
                                               std::move(remote))
        ->run();
  }
  do_accept();
}

void Server::schedule_tick() {
  tick_.expires_after(std::chrono::milliseconds(options_.throttle_tick_ms));
  tick_.async_wait([this](beast::error_code ec) {
    if (ec) return;
    hub_.poll_throttles();
    schedule_tick();
  });
}

void Server::wait_for_clients_to_leave(std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (hub_.client_count() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void Server::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (listening_) {
    net::post(ioc_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      tick_.cancel();
    });
    hub_.close_all(static_cast<uint16_t>(ws::close_code::going_away), "server shutting down");
    // A closing handshake takes a round trip to a client that reads; one
    // that does not never answers, so it gets a short grace and then its
    // connection is dropped. The whole stop stays under a second however
    // many clients there are and whatever they do.
    wait_for_clients_to_leave(kCloseHandshakeGrace);
    hub_.abort_all();
    wait_for_clients_to_leave(kAbortGrace);
  }
  ioc_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  listening_ = false;
}

}  // namespace sluice::websocket
