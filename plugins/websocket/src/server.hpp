// The WebSocket plugin's network side: an HTTP/WebSocket listener (plain or
// TLS) on its own io_context threads, the throttle timer, and an orderly
// shutdown that closes every client.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "beast_types.hpp"
#include "server_context.hpp"

namespace sluice::websocket {

class Server {
 public:
  Server(const ServerOptions& options, Hub& hub, const Authenticator& auth, LogFn log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads TLS files, binds and starts the I/O threads. False with `error`
  // saying what to fix (bad certificate, address in use...).
  bool start(std::string& error);
  // Closes every client (going away), waits briefly for the close
  // handshakes, drops the connections still open, then stops the threads.
  // Bounded: well under a second with any number of clients. Idempotent.
  void stop();

  uint16_t port() const { return port_; }
  const ServerCounters& counters() const { return counters_; }
  bool listening() const { return listening_; }

 private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void schedule_tick();
  void wait_for_clients_to_leave(std::chrono::milliseconds limit);

  static constexpr std::chrono::milliseconds kCloseHandshakeGrace{500};
  static constexpr std::chrono::milliseconds kAbortGrace{300};

  // Sessions refer to everything above ioc_: it is declared after them so
  // that sessions still pending at shutdown die (with ioc_) first.
  const ServerOptions& options_;
  Hub& hub_;
  std::string viewer_html_;
  ServerCounters counters_;
  std::optional<ssl::context> tls_;
  std::optional<ServerContext> context_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer tick_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  bool listening_ = false;
  bool stopped_ = false;
};

}  // namespace sluice::websocket
