// The StatsD export of a running `sluice run`, received on a real UDP socket:
// counters arrive as deltas that add up to the true total (a flush that sent
// running totals would overshoot), gauges as values, every datagram within
// the MTU-sized limit.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <sstream>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

// A UDP socket bound to 127.0.0.1 on a port the kernel chose.
class UdpReceiver {
 public:
  UdpReceiver() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~UdpReceiver() { ::close(fd_); }
  uint16_t port() const { return port_; }

  // One datagram, or "" after `timeout_ms` without one.
  std::string receive(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return "";
    char buf[65536];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

struct Line {
  std::string name;
  double value = 0;
  std::string type;
};

// "name:value|type"
std::optional<Line> parse_line(const std::string& text) {
  auto colon = text.rfind(':');
  auto bar = text.rfind('|');
  if (colon == std::string::npos || bar == std::string::npos || bar < colon) return std::nullopt;
  return Line{text.substr(0, colon), std::stod(text.substr(colon + 1, bar - colon - 1)),
              text.substr(bar + 1)};
}

TEST(Statsd, CountersArriveAsDeltasThatSumToTheTotal) {
  UdpReceiver statsd;
  TempDir dir;
  auto config = dir.path() / "sluice.yaml";
  write_file(config, "node_id: statsd-test\nworkers: 2\nadmin: { enabled: false }\nstate_dir: " +
                         dir.path().string() +
                         "/state\nmetrics:\n  statsd: 127.0.0.1:" + std::to_string(statsd.port()) +
                         "\n  statsd_interval_ms: 100\n  prefix: edge\n" + R"(connectors:
  gen:
    plugin: generate
    count: 5000
    rate: 20000
    payload: '{"n":${counter}}'
  sink:
    plugin: "null"
routes:
  - from: gen
    to: sink
)");
  auto proc = SluiceProcess::run(config.string());

  double in_total = 0, out_total = 0;
  bool saw_gauge = false, saw_bad_line = false;
  size_t largest_datagram = 0;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while ((in_total < 5000 || out_total < 5000 || !saw_gauge) &&
         std::chrono::steady_clock::now() < deadline) {
    auto datagram = statsd.receive(200);
    largest_datagram = std::max(largest_datagram, datagram.size());
    std::istringstream lines(datagram);
    for (std::string text; std::getline(lines, text);) {
      auto line = parse_line(text);
      if (!line || line->name.rfind("edge.", 0) != 0) {
        saw_bad_line = true;
        continue;
      }
      if (line->name.rfind("edge.messages_in_total.gen.", 0) == 0) {
        EXPECT_EQ(line->type, "c");
        in_total += line->value;
      }
      if (line->name.rfind("edge.messages_out_total.sink.", 0) == 0) out_total += line->value;
      if (line->type == "g") saw_gauge = true;
    }
  }
  // A few more flushes: nothing new happened, so no counter may grow.
  for (int i = 0; i < 3; ++i) {
    std::istringstream lines(statsd.receive(300));
    for (std::string text; std::getline(lines, text);) {
      auto line = parse_line(text);
      if (line && line->name.rfind("edge.messages_in_total.gen.", 0) == 0) in_total += line->value;
    }
  }
  EXPECT_EQ(in_total, 5000) << proc.output();
  EXPECT_EQ(out_total, 5000) << proc.output();
  EXPECT_TRUE(saw_gauge);
  EXPECT_FALSE(saw_bad_line);
  EXPECT_LE(largest_datagram, 1400u);
  EXPECT_EQ(proc.stop(), 0) << proc.output();
}

}  // namespace
}  // namespace sluice::test
