// A real WebSocket client for the integration tests (Boost.Beast, plain or
// TLS), on its own I/O thread: messages it receives queue up for the test to
// wait on; a refused handshake keeps the server's HTTP status and body.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::websocket::testing {

struct WsClientOptions {
  std::map<std::string, std::string> headers;  // extra handshake headers (Origin, Authorization)
  bool read = true;                            // false: never read (a stalled or dead peer)
  int receive_buffer = 0;                      // SO_RCVBUF before connecting; 0 = default
  bool tls = false;                            // wss:// (certificate not verified)
};

class WsTestClient {
 public:
  // Connects to 127.0.0.1:port and sends the upgrade for `target`. Check
  // connected(); when the server refused, http_status() and http_body() say why.
  WsTestClient(uint16_t port, const std::string& target, WsClientOptions options = {});
  ~WsTestClient();
  WsTestClient(const WsTestClient&) = delete;
  WsTestClient& operator=(const WsTestClient&) = delete;

  bool connected() const;
  // The client's own port: the server lists it as `remote` 127.0.0.1:port.
  uint16_t local_port() const;
  int http_status() const;
  const std::string& http_body() const;
  const std::string& error() const;

  void send(std::string text);
  void send_binary(std::string bytes);
  // The next message, waiting up to `timeout`.
  std::optional<std::string> next(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits until `n` messages were received in total (taken or not).
  bool wait_received(size_t n, std::chrono::milliseconds timeout);
  size_t received() const;
  // Everything received and not yet taken.
  std::vector<std::string> take_all();

  // True once the connection has closed; close_code() is the peer's code (or -1).
  bool wait_closed(std::chrono::milliseconds timeout);
  int close_code() const;

  // The closing handshake with `code` (any value, even one RFC 6455 forbids);
  // close_code() is then the code the server answered with.
  void close(uint16_t code = 1000);
  void abort();  // drops the TCP connection with a reset, no handshake

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::websocket::testing
