#include "support/net.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace sluice::test {
namespace {

// Closes the socket on every return path.
struct Socket {
  int fd;
  explicit Socket(int f) : fd(f) {}
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

sockaddr_in loopback(const std::string& host, std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  std::string ip = host == "localhost" ? "127.0.0.1" : host;
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    throw std::invalid_argument("not an IPv4 address: " + host);
  }
  return addr;
}

}  // namespace

namespace {

// The port the kernel has free now (bind to port 0, then release).
std::uint16_t kernel_free_port() {
  Socket sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (sock.fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in addr = loopback("127.0.0.1", 0);
  if (::bind(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1:0");
  }
  socklen_t len = sizeof addr;
  if (::getsockname(sock.fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::system_error(errno, std::generic_category(), "getsockname");
  }
  return ntohs(addr.sin_port);
}

// Claims `port` for this test process until it exits: a lock on a file
// named after it, which another test process running at the same time
// cannot take. Without it two tests side by side were once handed the same
// free port, and a webhook test was answered by the other test's sluice.
bool claim_for_this_process(std::uint16_t port) {
  static std::mutex mutex;
  static std::vector<int> held;  // open for the process's life; the kernel drops the locks
  std::lock_guard lock(mutex);
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/sluice-test-ports";
  ::mkdir(dir.c_str(), 0777);  // may exist already
  std::string path = dir + "/" + std::to_string(port);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return true;  // no lock directory: go on as before
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;  // another test process holds it
  }
  held.push_back(fd);
  return true;
}

}  // namespace

std::uint16_t free_tcp_port() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::uint16_t port = kernel_free_port();
    if (claim_for_this_process(port)) return port;
  }
  throw std::runtime_error("no free TCP port that no other test process holds");
}

bool tcp_port_open(const std::string& host, std::uint16_t port, int timeout_ms) {
  Socket sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (sock.fd < 0) return false;
  sockaddr_in addr = loopback(host, port);
  if (::connect(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return true;
  if (errno != EINPROGRESS) return false;
  pollfd pfd{sock.fd, POLLOUT, 0};
  if (::poll(&pfd, 1, timeout_ms) != 1) return false;
  int error = 0;
  socklen_t len = sizeof error;
  ::getsockopt(sock.fd, SOL_SOCKET, SO_ERROR, &error, &len);
  return error == 0;
}

HostPort split_host_port(const std::string& address) {
  std::string rest = address;
  if (auto scheme = rest.find("://"); scheme != std::string::npos) rest = rest.substr(scheme + 3);
  if (auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  if (auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  if (auto comma = rest.find(','); comma != std::string::npos) rest = rest.substr(0, comma);
  auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon + 1 == rest.size()) {
    throw std::invalid_argument("no port in address: " + address);
  }
  int port = std::stoi(rest.substr(colon + 1));
  if (port <= 0 || port > 65535) throw std::invalid_argument("bad port in address: " + address);
  return {rest.substr(0, colon), static_cast<std::uint16_t>(port)};
}

}  // namespace sluice::test
