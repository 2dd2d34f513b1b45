// A small HTTP/1.1 server on Boost.Beast for the admin endpoints: its own
// thread, bounded headers and bodies, timeouts for idle and slow clients, and
// an answer for every connection even past its cap, so that nothing a client
// does can touch routing or keep a health probe from being answered.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

namespace sluice::metrics {
class Registry;
class Counter;
}  // namespace sluice::metrics

namespace sluice::admin {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Handler = std::function<Response(const Request&)>;

// A response written while it is produced, for as long as the client stays
// (`sluice tap`): the head goes out at once, then whatever `next` appends at
// each poll. It ends when `next` returns false, the client closes, or the
// client stops reading for write_timeout. It has neither a length nor
// chunks: the body ends when the connection closes (Connection: close),
// which every HTTP client understands, curl and `sluice tap` included.
struct ResponseStream {
  Response head;  // status and headers; its body is not sent
  std::function<bool(std::string& out)> next;
};
// Answers a request either at once or with a stream.
using StreamHandler = std::function<std::variant<Response, ResponseStream>(const Request&)>;

struct HttpServerLimits {
  size_t header_limit = 8 * 1024;  // bigger headers: 431
  size_t body_limit = 64 * 1024;   // bigger bodies: 413
  // A connection may wait this long for the first byte of a request (new or
  // kept alive) before it is closed without a word.
  std::chrono::milliseconds idle_timeout{5000};
  // From a request's first byte until it is complete; past it: 408.
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds write_timeout{10000};
  // Connections served at once. Past it, up to kOverflowFactor times as many
  // more each get kOverflowTimeout to send one request: one for one of
  // `probe_targets` is still answered, anything else gets 503. Beyond both,
  // new connections wait in the kernel's listen queue, never reset.
  int max_connections = 128;
  std::vector<std::string> probe_targets;  // e.g. "/healthz"; matched without the query
};

class HttpServer {
 public:
  static constexpr int kOverflowFactor = 4;
  static constexpr std::chrono::milliseconds kOverflowTimeout{1000};

  // `registry` (optional) receives the server's sluice_admin_* metrics
  // once it serves.
  HttpServer(Handler handler, HttpServerLimits limits = {}, metrics::Registry* registry = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds "host:port" (port 0 = any free port) and starts serving. Returns
  // "" or what went wrong.
  std::string start(const std::string& listen);
  // Requests for `path` (matched without the query) go to `handler`
  // instead of the server's handler. Call before start().
  void set_stream_handler(std::string path, StreamHandler handler);
  static constexpr std::chrono::milliseconds kStreamPoll{50};
  void stop();
  unsigned short port() const { return port_; }

 private:
  class Session;
  enum class Tier { kServed, kOverflow };
  struct Counters {
    metrics::Counter* refused = nullptr;
    metrics::Counter* idle_timeouts = nullptr;
    metrics::Counter* request_timeouts = nullptr;
  };

  void register_metrics();  // when serving: a disabled server has no metrics
  void accept();
  void on_accept_error();
  void on_session_closed(Tier tier);
  bool is_probe(std::string_view target) const;
  bool is_stream(std::string_view target) const;
  int open_connections() const { return served_open_ + overflow_open_; }

  // Declared before io_: sessions that io_'s destructor frees still read them.
  Handler handler_;
  std::string stream_path_;
  StreamHandler stream_handler_;
  HttpServerLimits limits_;
  metrics::Registry* registry_;
  Counters counters_;
  std::atomic<bool> running_{false};
  std::atomic<int> served_open_{0};    // changed on the server thread only
  std::atomic<int> overflow_open_{0};  // atomics so that the metrics gauge can read them
  bool accept_paused_ = false;

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  boost::asio::steady_timer accept_retry_{io_};
  std::thread thread_;
  unsigned short port_ = 0;
};

// Splits "host:port" ("[::1]:9600" for IPv6). False when malformed.
bool split_host_port(const std::string& listen, std::string& host, unsigned short& port);

}  // namespace sluice::admin
