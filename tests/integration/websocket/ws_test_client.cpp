#include "ws_test_client.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace sluice::websocket::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ws = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

struct WsTestClient::Impl {
  net::io_context ioc;
  ssl::context tls_context{ssl::context::tls_client};
  std::optional<ws::stream<beast::tcp_stream>> plain;
  std::optional<ws::stream<beast::ssl_stream<beast::tcp_stream>>> secure;
  std::thread thread;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;

  mutable std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::string> inbox;
  size_t received = 0;
  bool closed = false;
  int close_code = -1;
  bool connected = false;
  uint16_t local_port = 0;
  int http_status = 0;
  std::string http_body;
  std::string error;

  beast::flat_buffer buffer;
  std::deque<std::pair<std::string, bool>> outbox;  // (data, text)
  bool writing = false;

  tcp::socket& socket() {
    return plain ? beast::get_lowest_layer(*plain).socket()
                 : beast::get_lowest_layer(*secure).socket();
  }

  template <class F>
  void with_stream(F&& f) {
    if (plain)
      f(*plain);
    else
      f(*secure);
  }

  void mark_closed(int code) {
    std::lock_guard lock(mutex);
    if (closed) return;
    closed = true;
    close_code = code;
    changed.notify_all();
  }

  void do_read() {
    with_stream([this](auto& s) {
      s.async_read(buffer, [this, &s](beast::error_code ec, size_t) {
        if (ec) {
          mark_closed(s.reason().code ? static_cast<int>(s.reason().code) : -1);
          return;
        }
        {
          std::lock_guard lock(mutex);
          inbox.push_back(beast::buffers_to_string(buffer.data()));
          ++received;
          changed.notify_all();
        }
        buffer.consume(buffer.size());
        do_read();
      });
    });
  }

  void do_write() {
    if (writing || outbox.empty()) return;
    writing = true;
    with_stream([this](auto& s) {
      s.text(outbox.front().second);
      s.async_write(net::buffer(outbox.front().first), [this](beast::error_code ec, size_t) {
        writing = false;
        outbox.pop_front();
        if (!ec) do_write();
      });
    });
  }
};

WsTestClient::WsTestClient(uint16_t port, const std::string& target, WsClientOptions options)
    : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  tcp::socket socket(s.ioc);
  beast::error_code ec;
  socket.open(tcp::v4(), ec);
  if (options.receive_buffer > 0)
    socket.set_option(net::socket_base::receive_buffer_size(options.receive_buffer), ec);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    s.error = "connect: " + ec.message();
    return;
  }
  s.local_port = socket.local_endpoint(ec).port();
  ws::response_type response;
  auto decorate = [&](ws::request_type& request) {
    for (const auto& [name, value] : options.headers) request.set(name, value);
  };
  std::string host = "127.0.0.1:" + std::to_string(port);
  if (options.tls) {
    s.tls_context.set_verify_mode(ssl::verify_none);
    s.secure.emplace(beast::tcp_stream(std::move(socket)), s.tls_context);
    beast::get_lowest_layer(*s.secure).expires_after(std::chrono::seconds(10));
    s.secure->next_layer().handshake(ssl::stream_base::client, ec);
    if (ec) {
      s.error = "tls handshake: " + ec.message();
      return;
    }
    s.secure->set_option(ws::stream_base::decorator(decorate));
    s.secure->handshake(response, host, target, ec);
  } else {
    s.plain.emplace(beast::tcp_stream(std::move(socket)));
    s.plain->set_option(ws::stream_base::decorator(decorate));
    s.plain->handshake(response, host, target, ec);
  }
  s.http_status = static_cast<int>(response.result_int());
  s.http_body = response.body();
  if (ec) {
    s.error = "handshake: " + ec.message();
    return;
  }
  s.connected = true;
  s.with_stream([](auto& stream) {
    beast::get_lowest_layer(stream).expires_never();
    stream.read_message_max(64 * 1024 * 1024);
  });
  s.work.emplace(s.ioc.get_executor());
  if (options.read) net::post(s.ioc, [&s] { s.do_read(); });
  s.thread = std::thread([&s] { s.ioc.run(); });
}

WsTestClient::~WsTestClient() {
  Impl& s = *impl_;
  if (s.thread.joinable()) {
    net::post(s.ioc, [&s] {
      beast::error_code ignored;
      s.socket().close(ignored);
    });
    s.work.reset();
    s.ioc.stop();
    s.thread.join();
  }
}

bool WsTestClient::connected() const { return impl_->connected; }
uint16_t WsTestClient::local_port() const { return impl_->local_port; }
int WsTestClient::http_status() const { return impl_->http_status; }
const std::string& WsTestClient::http_body() const { return impl_->http_body; }
const std::string& WsTestClient::error() const { return impl_->error; }

void WsTestClient::send(std::string text) {
  Impl& s = *impl_;
  net::post(s.ioc, [&s, text = std::move(text)]() mutable {
    s.outbox.emplace_back(std::move(text), true);
    s.do_write();
  });
}

void WsTestClient::send_binary(std::string bytes) {
  Impl& s = *impl_;
  net::post(s.ioc, [&s, bytes = std::move(bytes)]() mutable {
    s.outbox.emplace_back(std::move(bytes), false);
    s.do_write();
  });
}

std::optional<std::string> WsTestClient::next(std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  std::unique_lock lock(s.mutex);
  if (!s.changed.wait_for(lock, timeout, [&] { return !s.inbox.empty(); })) return std::nullopt;
  std::string m = std::move(s.inbox.front());
  s.inbox.pop_front();
  return m;
}

bool WsTestClient::wait_received(size_t n, std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  std::unique_lock lock(s.mutex);
  return s.changed.wait_for(lock, timeout, [&] { return s.received >= n; });
}

size_t WsTestClient::received() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

std::vector<std::string> WsTestClient::take_all() {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::string> out(impl_->inbox.begin(), impl_->inbox.end());
  impl_->inbox.clear();
  return out;
}

bool WsTestClient::wait_closed(std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  std::unique_lock lock(s.mutex);
  return s.changed.wait_for(lock, timeout, [&] { return s.closed; });
}

int WsTestClient::close_code() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->close_code;
}

void WsTestClient::close(uint16_t code) {
  Impl& s = *impl_;
  net::post(s.ioc, [&s, code] {
    s.with_stream([&s, code](auto& stream) {
      stream.async_close(ws::close_reason(code), [&s, &stream](beast::error_code) {
        s.mark_closed(stream.reason().code ? static_cast<int>(stream.reason().code) : -1);
      });
    });
  });
}

void WsTestClient::abort() {
  Impl& s = *impl_;
  net::post(s.ioc, [&s] {
    beast::error_code ignored;
    s.socket().set_option(net::socket_base::linger(true, 0), ignored);
    s.socket().close(ignored);
    s.mark_closed(-1);
  });
}

}  // namespace sluice::websocket::testing
