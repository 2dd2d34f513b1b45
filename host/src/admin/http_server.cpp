#include "admin/http_server.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/version.hpp>
#include <charconv>

namespace sluice::admin {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

bool split_host_port(const std::string& listen, std::string& host, unsigned short& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned value = 0;
  auto [p, ec] = std::from_chars(listen.data() + colon + 1, listen.data() + listen.size(), value);
  if (ec != std::errc() || p != listen.data() + listen.size() || value > 65535) return false;
  port = static_cast<unsigned short>(value);
  return true;
}

class HttpServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer& server)
      : stream_(std::move(socket)),
        read_timer_(stream_.get_executor()),
        server_(server),
        connections_(server.connections_) {
    connections_->fetch_add(1);
  }
  ~Session() { connections_->fetch_sub(1); }

  void start() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.limits_.header_limit));
    parser_->body_limit(server_.limits_.body_limit);
    // Our own timer rather than the stream's expiry: expiry closes the
    // socket, and a slow client should still hear 408 before we hang up.
    stream_.expires_never();
    timed_out_ = false;
    read_timer_.expires_after(server_.limits_.read_timeout);
    read_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->read_timer_.cancel();
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (timed_out_) return reply_error(http::status::request_timeout);
    if (ec == http::error::end_of_stream || ec == boost::asio::error::connection_reset) return;
    if (ec == http::error::header_limit)
      return reply_error(http::status::request_header_fields_too_large);
    if (ec == http::error::body_limit) return reply_error(http::status::payload_too_large);
    if (ec == beast::error::timeout) return reply_error(http::status::request_timeout);
    if (ec) return reply_error(http::status::bad_request);
    Request req = parser_->release();
    Response res;
    try {
      res = server_.handler_(req);
    } catch (const std::exception& e) {
      res = Response(http::status::internal_server_error, req.version());
      res.set(http::field::content_type, "text/plain");
      res.body() = std::string("internal error: ") + e.what() + "\n";
    }
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    res.set(http::field::server, "sluice");
    res.prepare_payload();
    write(std::move(res), !req.keep_alive());
  }

  void reply_error(http::status status) {
    Response res(status, 11);
    res.set(http::field::content_type, "text/plain");
    res.set(http::field::connection, "close");
    res.body() = std::string(http::obsolete_reason(status)) + "\n";
    res.prepare_payload();
    write(std::move(res), true);
  }

  void write(Response res, bool close) {
    auto shared = std::make_shared<Response>(std::move(res));
    stream_.expires_after(server_.limits_.write_timeout);
    http::async_write(stream_, *shared,
                      [self = shared_from_this(), shared, close](beast::error_code ec, size_t) {
                        if (ec || close) {
                          beast::error_code ignored;
                          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          return;
                        }
                        self->read();
                      });
  }

  beast::tcp_stream stream_;
  boost::asio::steady_timer read_timer_;
  bool timed_out_ = false;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServer& server_;
  std::shared_ptr<std::atomic<int>> connections_;
};

HttpServer::HttpServer(Handler handler, HttpServerLimits limits)
    : handler_(std::move(handler)), limits_(limits) {}

HttpServer::~HttpServer() { stop(); }

std::string HttpServer::start(const std::string& listen) {
  std::string host;
  unsigned short port = 0;
  if (!split_host_port(listen, host, port)) return "admin.listen '" + listen + "' is not host:port";
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return "admin.listen '" + listen + "': '" + host + "' is not an IP address";
  tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) return "admin HTTP cannot listen on " + listen + ": " + ec.message();
  port_ = acceptor_.local_endpoint().port();
  accept();
  thread_ = std::thread([this] { io_.run(); });
  return "";
}

void HttpServer::accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!ec) {
      if (connections_->load() >= limits_.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);  // over the cap: refuse rather than queue
      } else {
        std::make_shared<Session>(std::move(socket), *this)->start();
      }
    }
    accept();
  });
}

void HttpServer::stop() {
  if (!thread_.joinable()) return;
  boost::asio::post(io_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  io_.stop();
  thread_.join();
}

}  // namespace sluice::admin
