// A small HTTP/1.1 server on Boost.Beast for the admin endpoints: its own
// thread, bounded headers and bodies, timeouts for slow clients, so that
// nothing a client does can touch routing.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace sluice::admin {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Handler = std::function<Response(const Request&)>;

struct HttpServerLimits {
  size_t header_limit = 8 * 1024;         // bigger headers: 431
  size_t body_limit = 64 * 1024;          // bigger bodies: 413
  std::chrono::seconds read_timeout{10};  // a request not complete by then: 408
  std::chrono::seconds write_timeout{10};
  int max_connections = 64;
};

class HttpServer {
 public:
  HttpServer(Handler handler, HttpServerLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds "host:port" (port 0 = any free port) and starts serving. Returns
  // "" or what went wrong.
  std::string start(const std::string& listen);
  void stop();
  unsigned short port() const { return port_; }

 private:
  class Session;
  void accept();

  Handler handler_;
  HttpServerLimits limits_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  std::thread thread_;
  unsigned short port_ = 0;
  std::shared_ptr<std::atomic<int>> connections_ = std::make_shared<std::atomic<int>>(0);
};

// Splits "host:port" ("[::1]:9600" for IPv6). False when malformed.
bool split_host_port(const std::string& listen, std::string& host, unsigned short& port);

}  // namespace sluice::admin
