// Many WebSocket clients that finish the handshake and then never read a
// byte: raw sockets with a small receive buffer, so the server's writes to
// them back up after a few frames. For slow-client and shutdown tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sluice::websocket::testing {

class StalledClients {
 public:
  StalledClients() = default;
  ~StalledClients();  // resets every connection still open here
  StalledClients(const StalledClients&) = delete;
  StalledClients& operator=(const StalledClients&) = delete;

  // Opens `count` connections to 127.0.0.1:port upgrading to `target`, all
  // handshakes in flight at once. Returns how many the server accepted (101).
  size_t connect(uint16_t port, size_t count, const std::string& target, int receive_buffer = 2048);
  size_t size() const { return fds_.size(); }

 private:
  std::vector<int> fds_;
};

// Raises the soft RLIMIT_NOFILE of this process to `want` (or the hard
// limit); returns the soft limit now in force.
size_t raise_fd_limit(size_t want);

}  // namespace sluice::websocket::testing
