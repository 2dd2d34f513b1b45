// Loopback networking helpers: free ports, "is anyone listening", host:port parsing.
#pragma once

#include <cstdint>
#include <string>

namespace sluice::test {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then
// released) and that no other test process running now was handed (a lock
// file per port in $TMPDIR/sluice-test-ports, held until this process
// exits). Good enough for a private test server started right after.
std::uint16_t free_tcp_port();

// True if a TCP connect to host:port succeeds within `timeout_ms`.
bool tcp_port_open(const std::string& host, std::uint16_t port, int timeout_ms = 200);

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
// "127.0.0.1:6379" -> {127.0.0.1, 6379}; a URL such as nats://h:p/ or
// amqp://u:p@h:p/v is accepted too. Throws std::invalid_argument if no port.
HostPort split_host_port(const std::string& address);

}  // namespace sluice::test
