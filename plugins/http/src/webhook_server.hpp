// The webhook server: an HTTP/1.1 listener (plain or TLS, optionally
// checking client certificates) whose connections each run as one coroutine
// on their own strand. A request's messages are emitted, and the response
// waits until the host has an outcome for every one of them: at-least-once
// delivery by response, since the caller retries what was not confirmed.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>
#include <vector>

#include "beast_types.hpp"
#include "emit_gate.hpp"
#include "http_settings.hpp"
#include "pending_requests.hpp"
#include "webhook_request.hpp"

namespace sluice::http_plugin {

struct ServerMetrics {
  Metric requests;     // requests answered
  Metric messages;     // messages emitted
  Metric refused;      // 4xx answers
  Metric busy;         // 503 answers (pushback, too many connections)
  Metric failed;       // 500 and 504 answers
  Metric connections;  // gauge
};

class WebhookServer {
 public:
  WebhookServer(const ServerOptions& options, const Host& host, ServerMetrics metrics);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  // Loads TLS files, binds, starts the I/O threads. False with `error`.
  bool start(std::string& error);
  // Stops accepting and emitting; requests already emitted still get their
  // answer (acks keep coming until the host unloads the plugin).
  void stop();

  void ack(uint64_t ack_id, Outcome outcome) { pending_.ack(ack_id, outcome); }
  // A handler's answer to request `reply_to`; false when it is gone.
  bool reply(std::string_view reply_to, const MessageView& message);

  uint16_t port() const { return port_; }
  bool listening() const { return listening_; }

 private:
  net::awaitable<void> accept_loop();
  template <class Stream>
  net::awaitable<void> session(Stream stream, std::string remote, bool over_limit);
  // Emits the request's messages and waits for their outcome.
  net::awaitable<Response> ingest(PreparedRequest prepared, unsigned version,
                                  std::chrono::steady_clock::time_point deadline);
  Response answer(unsigned status, unsigned version, std::string body,
                  std::string_view content_type = "application/json") const;
  std::string too_large_body() const;

  const ServerOptions& options_;
  Host host_;
  ServerMetrics metrics_;
  PendingRequests pending_;
  EmitGate gate_;
  std::atomic<size_t> connections_{0};
  std::atomic<bool> stopping_{false};
  std::optional<ssl::context> tls_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  bool listening_ = false;
  // Connections refer to everything above: declared last, so coroutine
  // frames still pending at shutdown die with it first.
  net::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
};

}  // namespace sluice::http_plugin
