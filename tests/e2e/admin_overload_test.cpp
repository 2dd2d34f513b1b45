// The admin HTTP server of a running `sluice run` under hostile local load:
// idle sockets, a burst of concurrent scrapes and slowloris clients. Every
// connection hears an HTTP answer (503 past admin.max_connections), /healthz
// keeps answering, idle and slow connections are cut off by their timeouts,
// and refusals and timeouts are counted in /metrics.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "prometheus_parser.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A client socket on 127.0.0.1, closed on destruction.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~LoopbackSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  LoopbackSocket(LoopbackSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // Appends what arrives to `received` until the peer closes (-> true) or
  // `deadline` passes (-> false).
  bool read_until_closed(std::string& received, Clock::time_point deadline) {
    while (true) {
      if (!wait_readable(deadline)) return false;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;  // EOF, or a reset after the answer
      received.append(buf, static_cast<size_t>(n));
    }
  }

  // One whole response (headers and Content-Length body), or "" on timeout
  // or close.
  std::string read_response(Clock::time_point deadline) {
    std::string received;
    while (true) {
      auto end = received.find("\r\n\r\n");
      if (end != std::string::npos) {
        auto at = received.find("Content-Length: ");
        size_t length = at == std::string::npos ? 0 : std::stoul(received.substr(at + 16));
        if (received.size() >= end + 4 + length) return received;
      }
      if (!wait_readable(deadline)) return "";
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return "";
      received.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  bool wait_readable(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) return false;
    pollfd pfd{fd_, POLLIN, 0};
    return ::poll(&pfd, 1, static_cast<int>(left.count())) == 1;
  }

  int fd_;
};

// Status code of a raw response text ("HTTP/1.1 503 ..."), 0 if none.
int status_of(const std::string& response) {
  if (response.size() < 12 || response.rfind("HTTP/1.", 0) != 0) return 0;
  return std::atoi(response.c_str() + 9);
}

// Each test holds up to a thousand sockets, and so does the sluice it starts
// (which inherits this limit, besides raising its own).
void raise_open_file_limit(rlim_t wanted) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  ASSERT_GE(limit.rlim_max, wanted) << "RLIMIT_NOFILE hard limit too low for this test";
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = limit.rlim_max;
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
  }
}

class AdminOverloadTest : public ::testing::Test {
 protected:
  void start(const std::string& admin_settings) {
    ASSERT_NO_FATAL_FAILURE(raise_open_file_limit(2500));
    port_ = free_tcp_port();
    auto config = dir_.path() / "sluice.yaml";
    write_file(config, "node_id: overload\nworkers: 1\nstate_dir: " + dir_.path().string() +
                           "/state\nadmin:\n  listen: 127.0.0.1:" + std::to_string(port_) + "\n" +
                           admin_settings +
                           "connectors:\n  gen: { plugin: generate, rate: 10 }\n"
                           "  sink: { plugin: \"null\" }\nroutes:\n  - { from: gen, to: sink }\n");
    proc_.emplace(SluiceProcess::run(config.string()));
    ASSERT_TRUE(wait_until([&] { return get("/healthz").status == 200; }, 20s)) << proc_->output();
  }
  HttpResponse get(const std::string& target, std::chrono::milliseconds timeout = 5s) {
    return http_get("127.0.0.1", port_, target, timeout);
  }
  // Opens `count` connections, sending `first_bytes` on each.
  std::vector<LoopbackSocket> open_sockets(int count, std::string_view first_bytes = "") {
    std::vector<LoopbackSocket> sockets;
    for (int i = 0; i < count; ++i) {
      sockets.emplace_back(port_);
      EXPECT_TRUE(sockets.back().connected()) << "connection " << i;
      if (!first_bytes.empty()) sockets.back().send(first_bytes);
    }
    return sockets;
  }
  // /healthz answers 200 within a second, several times over.
  void expect_healthz_answers_promptly() {
    for (int i = 0; i < 5; ++i) {
      auto began = Clock::now();
      auto r = get("/healthz", 3s);
      EXPECT_EQ(r.status, 200) << r.error;
      EXPECT_LT(Clock::now() - began, 1s);
    }
  }
  PromText metrics_once_free() {
    HttpResponse r;
    EXPECT_TRUE(wait_until([&] { return (r = get("/metrics")).status == 200; }, 10s));
    return PromText::parse(r.body);
  }

  TempDir dir_;
  uint16_t port_ = 0;
  std::optional<SluiceProcess> proc_;
};

TEST_F(AdminOverloadTest, Admin_HealthzAnswersWhileTwoHundredIdleConnectionsAreOpen) {
  ASSERT_NO_FATAL_FAILURE(start(""));  // defaults: 128 connections, 5 s idle timeout
  auto idle = open_sockets(200);
  expect_healthz_answers_promptly();
  EXPECT_EQ(get("/readyz").status, 200);
  EXPECT_EQ(proc_->stop(), 0);
}

TEST_F(AdminOverloadTest, Admin_EveryOneOfAThousandConcurrentScrapesGetsAnHttpAnswer) {
  ASSERT_NO_FATAL_FAILURE(start("  max_connections: 32\n"));
  // All connected before any request, so that the cap is full when they arrive.
  auto sockets = open_sockets(1000);
  for (auto& s : sockets) s.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto deadline = Clock::now() + 30s;
  int ok = 0, refused = 0;
  for (size_t i = 0; i < sockets.size(); ++i) {
    std::string response;
    EXPECT_TRUE(sockets[i].read_until_closed(response, deadline)) << "connection " << i;
    int status = status_of(response);
    if (status == 200) {
      ++ok;
    } else if (status == 503) {
      ++refused;
      EXPECT_NE(response.find("\r\nRetry-After: 1\r\n"), std::string::npos) << response;
      EXPECT_NE(response.find("\r\nConnection: close\r\n"), std::string::npos) << response;
    } else {
      ADD_FAILURE() << "connection " << i << " closed without an answer: '" << response << "'";
    }
  }
  EXPECT_EQ(ok + refused, 1000);
  EXPECT_GE(ok, 32);
  EXPECT_GT(refused, 0);
  auto m = metrics_once_free();
  EXPECT_GE(m.sum("sluice_admin_connections_refused_total"), refused);
  EXPECT_EQ(proc_->stop(), 0);
}

TEST_F(AdminOverloadTest, Admin_SlowlorisClientsAreCutOffAndHealthzAnswers) {
  ASSERT_NO_FATAL_FAILURE(start("  request_timeout_ms: 2000\n"));
  auto slow = open_sockets(200, "GET /metrics HTTP/1.1\r\nHost: x\r\n");
  // Trickle one more header byte to each while probing.
  for (int round = 0; round < 3; ++round) {
    for (auto& s : slow) s.send("X");
    EXPECT_EQ(get("/healthz", 3s).status, 200);
  }
  expect_healthz_answers_promptly();
  // Each is answered: 408 within the request timeout, or 503 past the cap.
  auto deadline = Clock::now() + 10s;
  int timed_out = 0;
  for (auto& s : slow) {
    std::string response;
    EXPECT_TRUE(s.read_until_closed(response, deadline));
    int status = status_of(response);
    EXPECT_TRUE(status == 408 || status == 503) << response;
    timed_out += status == 408;
  }
  EXPECT_GT(timed_out, 0);
  auto m = metrics_once_free();
  EXPECT_EQ(m.sum("sluice_admin_timeouts_total", {{"phase", "request"}}), timed_out);
  EXPECT_EQ(proc_->stop(), 0);
}

TEST_F(AdminOverloadTest, Admin_IdleConnectionsAreClosedAfterTheIdleTimeout) {
  ASSERT_NO_FATAL_FAILURE(start("  idle_timeout_ms: 300\n"));
  // Kept alive after a request...
  LoopbackSocket kept(port_);
  ASSERT_TRUE(kept.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = kept.read_response(Clock::now() + 5s);
  ASSERT_EQ(status_of(response), 200) << response;
  auto answered = Clock::now();
  std::string after;
  EXPECT_TRUE(kept.read_until_closed(after, answered + 3s));
  EXPECT_GE(Clock::now() - answered, 200ms);  // kept alive for a while first
  EXPECT_EQ(after, "");                       // closed without a word
  // ... and one that never sends anything.
  LoopbackSocket silent(port_);
  std::string nothing;
  EXPECT_TRUE(silent.read_until_closed(nothing, Clock::now() + 3s));
  EXPECT_EQ(nothing, "");
  auto m = metrics_once_free();
  EXPECT_GE(m.sum("sluice_admin_timeouts_total", {{"phase", "idle"}}), 2);
  EXPECT_EQ(proc_->stop(), 0);
}

TEST_F(AdminOverloadTest, Admin_PastTheCapProbesAreAnsweredAndOthersRefusedWith503) {
  ASSERT_NO_FATAL_FAILURE(start("  max_connections: 2\n  idle_timeout_ms: 60000\n"));
  auto idle = open_sockets(2);
  HttpResponse refused;
  ASSERT_TRUE(wait_until([&] { return (refused = get("/metrics")).status == 503; }, 10s))
      << refused.status << " " << refused.error;
  EXPECT_EQ(refused.headers["retry-after"], "1");
  EXPECT_EQ(refused.headers["connection"], "close");
  EXPECT_EQ(get("/stats").status, 503);
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(get("/readyz").status, 200);
  idle.clear();
  auto m = metrics_once_free();
  EXPECT_GE(m.sum("sluice_admin_connections_refused_total"), 2);
  EXPECT_EQ(m.families().at("sluice_admin_connections_refused_total").type, "counter");
  EXPECT_EQ(proc_->stop(), 0);
}

}  // namespace
}  // namespace sluice::test
