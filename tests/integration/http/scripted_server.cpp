#include "scripted_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>

namespace sluice::test::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

struct ScriptedServer::Impl {
  net::io_context ioc;
  tcp::acceptor acceptor{ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)};
  std::vector<std::shared_ptr<tcp::socket>> sockets;  // to shut down on stop
};

ScriptedServer::ScriptedServer(Handler handler)
    : impl_(std::make_unique<Impl>()), handler_(std::move(handler)) {
  port_ = impl_->acceptor.local_endpoint().port();
  acceptor_thread_ = std::thread([this] {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(impl_->ioc);
      beast::error_code ec;
      impl_->acceptor.accept(*socket, ec);
      if (ec) return;
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      impl_->sockets.push_back(socket);
      connections_.emplace_back([this, socket] { serve(socket); });
    }
  });
}

ScriptedServer::~ScriptedServer() { stop(); }

void ScriptedServer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    beast::error_code ignored;
    for (auto& s : impl_->sockets) s->shutdown(tcp::socket::shutdown_both, ignored);
  }
  stopped_cv_.notify_all();
  // Closing an acceptor does not wake a blocking accept(): a connection
  // does, and the accepting thread then sees stopped_.
  {
    beast::error_code ignored;
    net::io_context ioc;
    tcp::socket poke(ioc);
    poke.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ignored);
    if (acceptor_thread_.joinable()) acceptor_thread_.join();
  }
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  for (auto& t : connections_)
    if (t.joinable()) t.join();
}

std::string ScriptedServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<Request> ScriptedServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

size_t ScriptedServer::request_count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

Response ScriptedServer::reply(unsigned status, std::string body,
                               std::vector<std::pair<std::string, std::string>> headers) {
  Response res{static_cast<beast::http::status>(status), 11};
  for (auto& [n, v] : headers) res.set(n, v);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

void ScriptedServer::serve(std::shared_ptr<void> opaque) {
  auto socket = std::static_pointer_cast<tcp::socket>(opaque);
  beast::flat_buffer buffer;
  for (;;) {
    Request req;
    beast::error_code ec;
    beast::http::read(*socket, buffer, req, ec);
    if (ec) return;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(req);
    }
    std::optional<Response> res = handler_(req);
    if (!res) {
      std::unique_lock lock(mutex_);
      stopped_cv_.wait(lock, [this] { return stopped_; });
      return;
    }
    res->keep_alive(req.keep_alive());
    beast::http::write(*socket, *res, ec);
    if (ec || !req.keep_alive()) return;
  }
}

}  // namespace sluice::test::http
