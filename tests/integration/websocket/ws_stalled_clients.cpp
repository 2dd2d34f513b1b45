#include "ws_stalled_clients.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace sluice::websocket::testing {
namespace {

int open_connection(uint16_t port, int receive_buffer) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  // Before connect, so that the window the server sees is small from the start.
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& data) {
  for (size_t sent = 0; sent < data.size();) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Reads until the end of the HTTP response head; true if it says 101. What
// follows the head (early frames) may be read too; later frames never are.
bool read_upgrade_response(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string head;
  char buffer[1024];
  while (head.find("\r\n\r\n") == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    head.append(buffer, static_cast<size_t>(n));
  }
  return head.rfind("HTTP/1.1 101", 0) == 0;
}

void reset(int fd) {
  linger hard{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  ::close(fd);
}

}  // namespace

StalledClients::~StalledClients() {
  for (int fd : fds_) reset(fd);
}

size_t StalledClients::connect(uint16_t port, size_t count, const std::string& target,
                               int receive_buffer) {
  const std::string request = "GET " + target +
                              " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Sec-WebSocket-Version: 13\r\n\r\n";
  std::vector<int> pending;
  for (size_t i = 0; i < count; ++i) {
    int fd = open_connection(port, receive_buffer);
    if (fd < 0) break;
    if (!send_all(fd, request)) {
      reset(fd);
      continue;
    }
    pending.push_back(fd);
  }
  size_t accepted = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int fd : pending) {
    if (read_upgrade_response(fd, deadline)) {
      fds_.push_back(fd);
      ++accepted;
    } else {
      reset(fd);
    }
  }
  return accepted;
}

size_t raise_fd_limit(size_t want) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, std::max<rlim_t>(limit.rlim_cur, want));
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

}  // namespace sluice::websocket::testing
