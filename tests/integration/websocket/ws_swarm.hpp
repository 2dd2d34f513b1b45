// Many WebSocket clients on one I/O thread, for churn and leak tests: they
// connect, subscribe by URL, count what they receive and leave, half with a
// closing handshake and half by dropping the connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace sluice::websocket::testing {

class Swarm {
 public:
  Swarm();
  ~Swarm();
  Swarm(const Swarm&) = delete;
  Swarm& operator=(const Swarm&) = delete;

  // Starts `count` connections to 127.0.0.1:port, client i using target(i).
  void connect(uint16_t port, size_t count, const std::function<std::string(size_t)>& target);
  // Connections whose handshake succeeded / failed so far.
  size_t connected() const { return connected_.load(); }
  size_t failed() const { return failed_.load(); }
  uint64_t messages() const { return messages_.load(); }
  // Odd clients close with a handshake, even ones reset the connection.
  void leave();
  // Connections not yet fully closed on this side.
  size_t open() const { return open_.load(); }

 private:
  struct Impl;
  struct Conn;
  std::unique_ptr<Impl> impl_;
  std::atomic<size_t> connected_{0};
  std::atomic<size_t> failed_{0};
  std::atomic<size_t> open_{0};
  std::atomic<uint64_t> messages_{0};
};

}  // namespace sluice::websocket::testing
