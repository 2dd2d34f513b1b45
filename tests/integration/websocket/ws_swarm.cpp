#include "ws_swarm.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <future>
#include <thread>
#include <vector>

namespace sluice::websocket::testing {

namespace beast = boost::beast;
namespace ws = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Swarm::Conn : std::enable_shared_from_this<Swarm::Conn> {
  Conn(net::io_context& ioc, Swarm& swarm) : stream(ioc), swarm(swarm) {}
  ws::stream<beast::tcp_stream> stream;
  Swarm& swarm;
  beast::flat_buffer buffer;
  bool up = false;
  bool done = false;

  void finish() {
    if (done) return;
    done = true;
    swarm.open_.fetch_sub(1);
  }

  void start(tcp::endpoint endpoint, std::string target) {
    swarm.open_.fetch_add(1);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(stream).async_connect(
        endpoint, [self = shared_from_this(), endpoint, target](beast::error_code ec) {
          if (ec) return self->fail();
          self->stream.async_handshake("127.0.0.1:" + std::to_string(endpoint.port()), target,
                                       [self](beast::error_code ec) {
                                         if (ec) return self->fail();
                                         beast::get_lowest_layer(self->stream).expires_never();
                                         self->up = true;
                                         self->swarm.connected_.fetch_add(1);
                                         self->read();
                                       });
        });
  }
  void fail() {
    swarm.failed_.fetch_add(1);
    finish();
  }
  void read() {
    stream.async_read(buffer, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->finish();
      self->swarm.messages_.fetch_add(1);
      self->buffer.consume(self->buffer.size());
      self->read();
    });
  }
};

struct Swarm::Impl {
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work{ioc.get_executor()};
  std::thread thread{[this] { ioc.run(); }};
  std::vector<std::shared_ptr<Conn>> conns;
};

Swarm::Swarm() : impl_(std::make_unique<Impl>()) {}

Swarm::~Swarm() {
  net::post(impl_->ioc, [this] {
    for (auto& c : impl_->conns) {
      beast::error_code ignored;
      beast::get_lowest_layer(c->stream).socket().close(ignored);
    }
  });
  impl_->work.reset();
  impl_->ioc.stop();
  impl_->thread.join();
}

void Swarm::connect(uint16_t port, size_t count, const std::function<std::string(size_t)>& target) {
  std::promise<void> posted;
  net::post(impl_->ioc, [&] {
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    for (size_t i = 0; i < count; ++i) {
      auto c = std::make_shared<Conn>(impl_->ioc, *this);
      impl_->conns.push_back(c);
      c->start(endpoint, target(i));
    }
    posted.set_value();
  });
  posted.get_future().wait();
}

void Swarm::leave() {
  std::promise<void> posted;
  net::post(impl_->ioc, [&] {
    for (size_t i = 0; i < impl_->conns.size(); ++i) {
      auto& c = impl_->conns[i];
      if (!c->up || c->done) continue;
      if (i % 2) {
        c->stream.async_close(ws::close_code::normal, [c](beast::error_code) {});
      } else {
        beast::error_code ignored;
        auto& socket = beast::get_lowest_layer(c->stream).socket();
        socket.set_option(net::socket_base::linger(true, 0), ignored);
        socket.close(ignored);
      }
    }
    posted.set_value();
  });
  posted.get_future().wait();
}

}  // namespace sluice::websocket::testing
