// The admin HTTP server (Boost.Beast parser, limits, timeouts) fed any bytes
// over a real loopback connection: whatever a client sends, the server
// answers with an HTTP status line or closes, and it keeps answering the
// next client (a health probe) afterwards.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "admin/http_server.hpp"
#include "fuzz_input.hpp"

namespace {

namespace http = boost::beast::http;
using sluice::admin::HttpServer;
using sluice::admin::Request;
using sluice::admin::Response;

HttpServer& server() {
  static std::unique_ptr<HttpServer> instance = [] {
    sluice::admin::HttpServerLimits limits;
    // Short waits: an incomplete request costs the fuzzer 100 ms, not 5 s.
    limits.idle_timeout = std::chrono::milliseconds(100);
    limits.request_timeout = std::chrono::milliseconds(100);
    limits.write_timeout = std::chrono::milliseconds(500);
    limits.probe_targets = {"/healthz"};
    auto s = std::make_unique<HttpServer>(
        [](const Request& req) {
          Response res(http::status::ok, req.version());
          res.body() = std::string(req.target()) + " " + std::to_string(req.body().size());
          res.prepare_payload();
          return res;
        },
        limits);
    FUZZ_CHECK(s->start("127.0.0.1:0").empty());
    return s;
  }();
  return *instance;
}

// Sends `bytes`, half-closes, and returns everything the server wrote back
// before closing (or within 2 s).
std::string exchange(std::string_view bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  FUZZ_CHECK(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server().port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::fprintf(stderr, "admin_http fuzz: connect failed: %s\n", std::strerror(errno));
    FUZZ_CHECK(false);
  }
  // Closed with a reset, so that neither side keeps the connection in
  // TIME_WAIT: 20,000 runs a few seconds apart from a suite that also
  // opened thousands of connections ran out of loopback ports once.
  linger abort_on_close{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server closed on a bad request: fine
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string reply;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    reply.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return reply;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string reply = exchange(sluice::fuzz::as_text(data, size));
  if (!reply.empty()) FUZZ_CHECK(reply.rfind("HTTP/1.", 0) == 0);
  static unsigned runs = 0;
  if (++runs % 64 == 1) {
    std::string probe = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    FUZZ_CHECK(probe.rfind("HTTP/1.1 200", 0) == 0);
  }
  return 0;
}
