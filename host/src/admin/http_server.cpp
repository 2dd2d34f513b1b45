#include "admin/http_server.hpp"

#include <algorithm>
#include <boost/beast/core.hpp>
#include <boost/beast/version.hpp>
#include <charconv>
#include <optional>

#include "metrics/registry.hpp"

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

namespace {

void count(metrics::Counter* counter) {
  if (counter) counter->inc();
}

std::string_view path_of(std::string_view target) {
  if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  return target;
}

}  // namespace

// One connection. Its phases, each under its own deadline: waiting for the
// first byte of a request (idle_timeout: closed silently), reading it
// (request_timeout: 408), writing the answer (write_timeout: closed). An
// overflow connection gets one request, which must arrive within
// kOverflowTimeout of its accept, and is answered only if it is a probe;
// anything else, a late request included, hears 503.
class HttpServer::Session : public std::enable_shared_from_this<Session> {
  using Clock = std::chrono::steady_clock;

 public:
  Session(tcp::socket socket, HttpServer& server, Tier tier)
      : stream_(std::move(socket)),
        deadline_(stream_.get_executor()),
        poll_timer_(stream_.get_executor()),
        server_(server),
        tier_(tier),
        overflow_give_up_(Clock::now() + kOverflowTimeout) {}
  ~Session() {
    if (server_.running_.load()) server_.on_session_closed(tier_);
  }

  void start() { wait_for_request(); }

 private:
  bool overflow() const { return tier_ == Tier::kOverflow; }
  // An overflow connection's phases share kOverflowTimeout from its accept.
  std::chrono::milliseconds limited(std::chrono::milliseconds configured) const {
    if (!overflow()) return configured;
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(overflow_give_up_ - Clock::now());
    return std::clamp(left, std::chrono::milliseconds(1), configured);
  }

  // Our own timer rather than the stream's expiry: expiry closes the socket,
  // and a slow client should still hear 408 before we hang up. The
  // generation makes a timer that fired just as its phase ended harmless.
  void arm_deadline(std::chrono::milliseconds after, void (Session::*on_expiry)()) {
    const auto generation = ++deadline_generation_;
    deadline_.expires_after(after);
    deadline_.async_wait([self = shared_from_this(), generation, on_expiry](beast::error_code ec) {
      if (ec || generation != self->deadline_generation_) return;
      ((*self).*on_expiry)();
    });
  }
  void disarm_deadline() {
    ++deadline_generation_;
    deadline_.cancel();
  }

  void wait_for_request() {
    if (buffer_.size() > 0) return read_request();  // pipelined: already here
    arm_deadline(limited(server_.limits_.idle_timeout), &Session::on_idle_timeout);
    stream_.socket().async_wait(tcp::socket::wait_read,
                                [self = shared_from_this()](beast::error_code ec) {
                                  self->disarm_deadline();
                                  if (ec || self->closed_) return;
                                  self->read_request();
                                });
  }

  void on_idle_timeout() {
    // Over the cap the client hears why; otherwise an idle connection is
    // closed silently, as HTTP allows, so that no stray 408 is taken for
    // the answer to a request sent at the same moment.
    if (overflow()) {
      beast::error_code ignored;
      stream_.socket().cancel(ignored);
      return reply_refused();
    }
    count(server_.counters_.idle_timeouts);
    close();
  }

  void read_request() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.limits_.header_limit));
    parser_->body_limit(server_.limits_.body_limit);
    stream_.expires_never();
    timed_out_ = false;
    arm_deadline(limited(server_.limits_.request_timeout), &Session::on_request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->disarm_deadline();
                       self->on_read(ec);
                     });
  }

  void on_request_timeout() {
    timed_out_ = true;
    beast::error_code ignored;
    stream_.socket().cancel(ignored);
  }

  void on_read(beast::error_code ec) {
    if (timed_out_) {
      if (overflow()) return reply_refused();
      count(server_.counters_.request_timeouts);
      return reply_error(http::status::request_timeout);
    }
    if (ec == http::error::end_of_stream || ec == boost::asio::error::connection_reset) return;
    if (ec == http::error::header_limit)
      return reply_error(http::status::request_header_fields_too_large);
    if (ec == http::error::body_limit) return reply_error(http::status::payload_too_large);
    if (ec) return reply_error(http::status::bad_request);
    Request req = parser_->release();
    if (overflow() && !server_.is_probe({req.target().data(), req.target().size()}))
      return reply_refused();
    const bool stream =
        !overflow() && server_.is_stream({req.target().data(), req.target().size()});
    Response res;
    try {
      if (!stream) {
        res = server_.handler_(req);
      } else {
        auto answer = server_.stream_handler_(req);
        if (auto* opened = std::get_if<ResponseStream>(&answer))
          return start_stream(std::move(*opened), req.version());
        res = std::move(std::get<Response>(answer));
      }
    } catch (const std::exception& e) {
      res = Response(http::status::internal_server_error, req.version());
      res.set(http::field::content_type, "text/plain");
      res.body() = std::string("internal error: ") + e.what() + "\n";
    }
    const bool keep_alive = req.keep_alive() && !overflow();
    res.version(req.version());
    res.keep_alive(keep_alive);
    res.set(http::field::server, "sluice");
    res.prepare_payload();
    write(std::move(res), !keep_alive);
  }

  void reply_refused() {
    count(server_.counters_.refused);
    Response res(http::status::service_unavailable, 11);
    res.set(http::field::retry_after, "1");
    res.set(http::field::content_type, "text/plain");
    res.set(http::field::connection, "close");
    res.set(http::field::server, "sluice");
    res.body() = "admin server busy: " + std::to_string(server_.limits_.max_connections) +
                 " connections open (admin.max_connections); retry\n";
    res.prepare_payload();
    write(std::move(res), true);
  }

  void reply_error(http::status status) {
    Response res(status, 11);
    res.set(http::field::content_type, "text/plain");
    res.set(http::field::connection, "close");
    res.set(http::field::server, "sluice");
    res.body() = std::string(http::obsolete_reason(status)) + "\n";
    res.prepare_payload();
    write(std::move(res), true);
  }

  void write(Response res, bool close_after) {
    auto shared = std::make_shared<Response>(std::move(res));
    stream_.expires_after(limited(server_.limits_.write_timeout));
    http::async_write(
        stream_, *shared,
        [self = shared_from_this(), shared, close_after](beast::error_code ec, size_t) {
          if (ec || close_after) return self->close();
          self->stream_.expires_never();
          self->wait_for_request();
        });
  }

  // The head, then a poll every kStreamPoll until the stream or the client
  // ends. The client sends nothing more: anything readable (its FIN, a
  // reset, stray bytes) ends the stream.
  void start_stream(ResponseStream opened, unsigned version) {
    struct Head {
      http::response<http::empty_body> message;
      http::response_serializer<http::empty_body> serializer{message};
    };
    auto head = std::make_shared<Head>();
    head->message.result(opened.head.result());
    head->message.version(version);
    for (const auto& field : opened.head) head->message.set(field.name_string(), field.value());
    head->message.set(http::field::server, "sluice");
    head->message.set(http::field::connection, "close");
    head->message.set(http::field::cache_control, "no-store");
    next_ = std::move(opened.next);
    stream_.socket().async_wait(tcp::socket::wait_read,
                                [self = shared_from_this()](beast::error_code) { self->close(); });
    stream_.expires_after(server_.limits_.write_timeout);
    http::async_write_header(stream_, head->serializer,
                             [self = shared_from_this(), head](beast::error_code ec, size_t) {
                               if (ec) return self->close();
                               self->poll_stream();
                             });
  }

  void poll_stream() {
    if (closed_) return;
    auto out = std::make_shared<std::string>();
    const bool more = next_(*out);
    if (out->empty()) return more ? wait_to_poll() : close();
    stream_.expires_after(server_.limits_.write_timeout);
    boost::asio::async_write(stream_, boost::asio::buffer(*out),
                             [self = shared_from_this(), out, more](beast::error_code ec, size_t) {
                               if (ec || !more) return self->close();
                               self->wait_to_poll();
                             });
  }

  void wait_to_poll() {
    poll_timer_.expires_after(kStreamPoll);
    poll_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->poll_stream();
    });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    poll_timer_.cancel();
    next_ = nullptr;  // a stream's resources go now, not with the last handler
    disarm_deadline();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  boost::asio::steady_timer deadline_;
  boost::asio::steady_timer poll_timer_;
  std::function<bool(std::string&)> next_;  // while streaming
  std::uint64_t deadline_generation_ = 0;
  bool timed_out_ = false;
  bool closed_ = false;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServer& server_;
  const Tier tier_;
  const Clock::time_point overflow_give_up_;
};

HttpServer::HttpServer(Handler handler, HttpServerLimits limits, metrics::Registry* registry)
    : handler_(std::move(handler)), limits_(std::move(limits)), registry_(registry) {}

void HttpServer::register_metrics() {
  if (!registry_) return;
  counters_.refused = &registry_->counter(
      "sluice_admin_connections_refused_total",
      "Admin HTTP connections answered 503 because admin.max_connections were open");
  const char* timeouts_help =
      "Admin HTTP connections closed by a timeout: idle (no request within "
      "admin.idle_timeout_ms) or request (incomplete within admin.request_timeout_ms, 408)";
  counters_.idle_timeouts =
      &registry_->counter("sluice_admin_timeouts_total", timeouts_help, {{"phase", "idle"}});
  counters_.request_timeouts =
      &registry_->counter("sluice_admin_timeouts_total", timeouts_help, {{"phase", "request"}});
  registry_->sampled_gauge(
      "sluice_admin_open_connections", "Admin HTTP connections open, over the cap included", {},
      [this] { return static_cast<double>(served_open_.load() + overflow_open_.load()); }, this);
}

HttpServer::~HttpServer() {
  stop();
  if (registry_) registry_->detach(this);
}

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
  register_metrics();
  running_ = true;
  accept();
  thread_ = std::thread([this] { io_.run(); });
  return "";
}

void HttpServer::accept() {
  const int overflow_cap = kOverflowFactor * limits_.max_connections;
  if (served_open_ >= limits_.max_connections && overflow_open_ >= overflow_cap) {
    // Leave the rest in the listen queue: a client there waits, where an
    // accepted-and-closed one would see a reset.
    accept_paused_ = true;
    return;
  }
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) return on_accept_error();
    Tier tier = served_open_ < limits_.max_connections ? Tier::kServed : Tier::kOverflow;
    (tier == Tier::kServed ? served_open_ : overflow_open_)++;
    std::make_shared<Session>(std::move(socket), *this, tier)->start();
    accept();
  });
}

void HttpServer::on_accept_error() {
  // Out of descriptors (EMFILE) and the like: the pending connection stays
  // queued; try again shortly instead of spinning on the same error.
  accept_retry_.expires_after(std::chrono::milliseconds(50));
  accept_retry_.async_wait([this](beast::error_code ec) {
    if (!ec) accept();
  });
}

void HttpServer::on_session_closed(Tier tier) {
  (tier == Tier::kServed ? served_open_ : overflow_open_)--;
  if (accept_paused_) {
    accept_paused_ = false;
    accept();
  }
}

bool HttpServer::is_probe(std::string_view target) const {
  target = path_of(target);
  for (const auto& probe : limits_.probe_targets)
    if (target == probe) return true;
  return false;
}

bool HttpServer::is_stream(std::string_view target) const {
  return stream_handler_ && path_of(target) == stream_path_;
}

void HttpServer::set_stream_handler(std::string path, StreamHandler handler) {
  stream_path_ = std::move(path);
  stream_handler_ = std::move(handler);
}

void HttpServer::stop() {
  if (!thread_.joinable()) return;
  running_ = false;
  boost::asio::post(io_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
  });
  io_.stop();
  thread_.join();
}

}  // namespace sluice::admin
