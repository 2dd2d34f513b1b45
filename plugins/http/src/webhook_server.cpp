#include "webhook_server.hpp"

#include <array>
#include <charconv>
#include <sluice/common/tcp_listen.hpp>
#include <sluice/common/tls_server.hpp>

namespace sluice::http_plugin {
namespace {

using Clock = std::chrono::steady_clock;

template <class Stream>
tcp::socket& socket_of(Stream& stream) {
  return beast::get_lowest_layer(stream).socket();
}

// A small request's body has usually arrived with its header: parsing it
// from the buffer here spares an async read, which would only post its
// completion back through the strand. need_more is no error: the rest is
// read then.
beast::error_code parse_buffered_body(http::request_parser<http::string_body>& parser,
                                      beast::flat_buffer& buffer) {
  beast::error_code ec;
  if (parser.is_done() || buffer.size() == 0) return ec;
  parser.eager(true);
  buffer.consume(parser.put(buffer.data(), ec));
  if (ec == http::error::need_more) ec = {};
  return ec;
}

}  // namespace

WebhookServer::WebhookServer(const ServerOptions& options, const Host& host, ServerMetrics metrics)
    : options_(options), host_(host), metrics_(std::move(metrics)), ioc_(options.io_threads) {}

WebhookServer::~WebhookServer() {
  stop();
  ioc_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  pending_.clear();
}

bool WebhookServer::start(std::string& error) {
  if (!options_.tls_cert.empty()) {
    tls_.emplace(ssl::context::tls_server);
    if (!common::load_tls_server(*tls_, options_.tls_cert, options_.tls_key, options_.tls_client_ca,
                                 error))
      return false;
  }
  error = common::listen_tcp(acceptor_, options_.host, options_.port);
  if (!error.empty()) return false;
  port_ = acceptor_.local_endpoint().port();
  listening_ = true;
  host_.logf(LogLevel::kInfo, "listening on %s:%u%s", options_.host.c_str(), port_,
             tls_ ? " (TLS)" : "");
  net::co_spawn(ioc_, accept_loop(), net::detached);
  for (int i = 0; i < options_.io_threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
  return true;
}

void WebhookServer::stop() {
  if (stopping_.exchange(true)) return;
  gate_.close();
  if (listening_)
    net::post(ioc_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
    });
}

bool WebhookServer::reply(std::string_view reply_to, const MessageView& message) {
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(reply_to.data(), reply_to.data() + reply_to.size(), id);
  if (ec != std::errc() || end != reply_to.data() + reply_to.size()) return false;
  std::string problem;
  ReplyData reply = read_reply(message, problem);
  if (!problem.empty())
    host_.logf(LogLevel::kWarn, "reply to request %llu: %s", static_cast<unsigned long long>(id),
               problem.c_str());
  return pending_.reply(id, std::move(reply));
}

net::awaitable<void> WebhookServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(net::make_strand(ioc_), kUseTuple);
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of file descriptors and the like: keep accepting, not in a hot loop.
      host_.logf(LogLevel::kWarn, "accept failed: %s", ec.message().c_str());
      net::steady_timer pause(ioc_, std::chrono::milliseconds(100));
      co_await pause.async_wait(kUseTuple);
      continue;
    }
    beast::error_code ignored;
    auto peer = socket.remote_endpoint(ignored);
    std::string remote =
        ignored ? "?" : peer.address().to_string() + ":" + std::to_string(peer.port());
    socket.set_option(tcp::no_delay(true), ignored);
    bool over_limit = connections_.fetch_add(1) >= options_.max_connections;
    metrics_.connections.set(static_cast<double>(connections_.load()));
    auto executor = socket.get_executor();
    if (tls_) {
      net::co_spawn(executor,
                    session(beast::ssl_stream<beast::tcp_stream>(std::move(socket), *tls_),
                            std::move(remote), over_limit),
                    net::detached);
    } else {
      net::co_spawn(executor,
                    session(beast::tcp_stream(std::move(socket)), std::move(remote), over_limit),
                    net::detached);
    }
  }
}

std::string WebhookServer::too_large_body() const {
  return error_body("body larger than " + std::to_string(options_.max_body_bytes) + " bytes");
}

Response WebhookServer::answer(unsigned status, unsigned version, std::string body,
                               std::string_view content_type) const {
  Response res{static_cast<http::status>(status), version};
  res.set(http::field::server, "sluice");
  if (!body.empty()) res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

template <class Stream>
net::awaitable<void> WebhookServer::session(Stream stream, std::string remote, bool over_limit) {
  // One decrement however the coroutine ends (error, close, shutdown).
  struct ConnectionSlot {
    WebhookServer* server;
    ~ConnectionSlot() {
      server->connections_.fetch_sub(1);
      server->metrics_.connections.set(static_cast<double>(server->connections_.load()));
    }
  } slot{this};
  auto timeout = std::chrono::milliseconds(options_.request_timeout_ms);
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    beast::get_lowest_layer(stream).expires_after(timeout);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kUseTuple);
    if (ec) co_return;
  }
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options_.max_body_bytes);
    parser.header_limit(64 * 1024);
    // The deadline covers reading the request and getting its messages
    // confirmed: the caller waits for one answer, not for each step.
    auto deadline = Clock::now() + timeout;
    beast::get_lowest_layer(stream).expires_at(deadline);
    auto [header_ec, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, kUseTuple);
    Response res;
    bool close = false;
    if (header_ec) {
      if (header_ec == http::error::end_of_stream || header_ec == beast::error::timeout ||
          header_ec == net::error::operation_aborted || header_ec == net::error::eof ||
          header_ec == net::error::connection_reset)
        break;
      if (header_ec == http::error::body_limit)  // a Content-Length beyond the limit
        res = answer(413, 11, too_large_body());
      else
        res = answer(header_ec == http::error::header_limit ? 431 : 400, 11,
                     error_body("malformed request: " + header_ec.message()));
      close = true;
    } else {
      const auto& head = parser.get();
      // curl and others wait for "100 Continue" before a large body.
      if (head[http::field::expect] == "100-continue" && !over_limit) {
        http::response<http::empty_body> cont{http::status::continue_, head.version()};
        auto [cont_ec, n] = co_await http::async_write(stream, cont, kUseTuple);
        if (cont_ec) break;
      }
      beast::error_code body_ec = parse_buffered_body(parser, buffer);
      if (!body_ec && !parser.is_done()) {
        auto [read_ec, body_bytes] = co_await http::async_read(stream, buffer, parser, kUseTuple);
        body_ec = read_ec;
      }
      unsigned version = parser.get().version();
      if (body_ec == http::error::body_limit) {
        res = answer(413, version, too_large_body());
        close = true;
      } else if (body_ec == beast::error::timeout) {
        res = answer(408, version, error_body("the request was not sent in time"));
        close = true;
      } else if (body_ec) {
        break;
      } else if (over_limit) {
        res = answer(503, version, error_body("too many connections; retry later"));
        res.set(http::field::retry_after, std::to_string(options_.retry_after_s));
        metrics_.busy.add();
        close = true;
      } else if (stopping_.load()) {
        res = answer(503, version, error_body("sluice is shutting down; retry later"));
        res.set(http::field::retry_after, std::to_string(options_.retry_after_s));
        close = true;
      } else {
        Request request = parser.release();
        PreparedRequest prepared = prepare_request(options_, request, remote);
        if (prepared.status != 0) {
          res = answer(prepared.status, version, error_body(prepared.error));
          if (prepared.status == 405) {
            std::string allow;
            for (const auto& m : options_.methods) allow += (allow.empty() ? "" : ", ") + m;
            res.set(http::field::allow, allow);
          }
          if (prepared.status == 401 && options_.auth.mode == AuthMode::kBearer)
            res.set(http::field::www_authenticate, "Bearer");
          metrics_.refused.add();
        } else {
          // The write below gets its own time; the deadline was for the answer.
          res = co_await ingest(std::move(prepared), version, deadline);
        }
        close = !request.keep_alive();
      }
    }
    metrics_.requests.add();
    res.keep_alive(!close);
    res.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(timeout);
    auto [write_ec, written] = co_await http::async_write(stream, res, kUseTuple);
    if (write_ec || close) break;
  }
  beast::error_code ignored;
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    // A lingering close: closing with unread request bytes (a 413's body)
    // would reset the connection, and the caller could lose the answer.
    // So: no more sending, then read and discard briefly until the caller
    // closes too.
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(std::chrono::seconds(2));
    std::array<char, 4096> sink;
    for (size_t drained = 0; drained < (4u << 20);) {
      auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), kUseTuple);
      if (ec) break;
      drained += n;
    }
  } else {
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
    co_await stream.async_shutdown(kUseTuple);
  }
}

net::awaitable<Response> WebhookServer::ingest(PreparedRequest prepared, unsigned version,
                                               Clock::time_point deadline) {
  auto executor = co_await net::this_coro::executor;
  auto request = std::make_shared<PendingRequest>(executor);
  uint64_t request_id = 0;
  std::string reply_to;
  if (options_.reply) {
    request_id = pending_.add_request(request);
    reply_to = std::to_string(request_id);
  }
  struct Forget {
    PendingRequests& pending;
    uint64_t id;
    ~Forget() {
      if (id) pending.forget_request(id);
    }
  } forget{pending_, request_id};

  // Acks are posted to this strand, so none runs before the loop is done.
  size_t accepted = 0;
  Status refused = Status::kOk;
  for (const auto& m : prepared.messages) {
    OutMessage out;
    out.payload = m.payload;
    out.subject = m.subject;
    for (const auto& [n, v] : m.headers) out.headers.emplace_back(n, v);
    for (const auto& [n, v] : prepared.attributes) out.attributes.emplace_back(n, v);
    out.reply_to = reply_to;
    uint64_t ack_id = pending_.add_message(request);
    Status s = Status::kClosed;
    gate_.run([&] { s = host_.emit(out, ack_id, 0); });
    if (s != Status::kOk) {
      pending_.forget_message(ack_id);
      refused = s;
      break;
    }
    ++accepted;
  }
  request->remaining = accepted;
  metrics_.messages.add(static_cast<double>(accepted));

  if (refused != Status::kOk) {
    // Those already accepted still go through; the caller's retry may
    // duplicate them, which at-least-once allows.
    request->answered = true;
    if (refused == Status::kBusy || refused == Status::kClosed) {
      metrics_.busy.add();
      Response res = answer(
          503, version,
          error_body(refused == Status::kBusy ? "sluice is busy (its queues are full); retry later"
                                              : "sluice is shutting down; retry later"));
      res.set(http::field::retry_after, std::to_string(options_.retry_after_s));
      co_return res;
    }
    metrics_.failed.add();
    co_return answer(500, version, error_body("sluice refused the message"));
  }

  while (request->remaining > 0 && Clock::now() < deadline) {
    request->timer.expires_at(deadline);
    co_await request->timer.async_wait(kUseTuple);
  }
  request->answered = true;
  if (request->remaining > 0) {
    metrics_.failed.add();
    co_return answer(504, version,
                     error_body("not every output confirmed the message in time; retry later"));
  }
  if (request->failed) {
    metrics_.failed.add();
    co_return answer(500, version, error_body("an output failed to take the message; retry later"));
  }
  if (request->reply) co_return reply_response(std::move(*request->reply), version);
  unsigned status = options_.success_status;
  if (status == 204) co_return answer(204, version, "");
  co_return answer(status, version,
                   "{\"messages\":" + std::to_string(prepared.messages.size()) + "}");
}

}  // namespace sluice::http_plugin
