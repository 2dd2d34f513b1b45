// The admin HTTP server of a running `sluice run`: Prometheus metrics that
// a strict parser accepts and whose counters agree, /stats, /readyz
// following connector health, and bad requests that never affect routing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "prometheus_parser.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

class AdminTest : public ::testing::Test {
 protected:
  void start(const std::string& connectors_and_routes) {
    port_ = free_tcp_port();
    config_ = dir_.path() / "sluice.yaml";
    write_file(config_, "node_id: admin-test\nworkers: 2\nstate_dir: " + dir_.path().string() +
                            "/state\nadmin:\n  listen: 127.0.0.1:" + std::to_string(port_) + "\n" +
                            connectors_and_routes);
    proc_.emplace(SluiceProcess::run(config_.string()));
    ASSERT_TRUE(wait_until([&] { return get("/healthz").status == 200; }, 20s)) << proc_->output();
  }
  HttpResponse get(const std::string& target) { return http_get("127.0.0.1", port_, target); }
  PromText metrics() {
    auto r = get("/metrics");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    return PromText::parse(r.body);
  }

  TempDir dir_;
  std::filesystem::path config_;
  uint16_t port_ = 0;
  std::optional<SluiceProcess> proc_;
};

constexpr const char* kGenerateToNull = R"(connectors:
  gen:
    plugin: generate
    count: 3000
    payload: '{"n":${counter},"status":"${random:ON|OFF}"}'
    key: "k${counter}"
  sink:
    plugin: "null"
routes:
  - name: on-only
    from: gen
    where: { status: "ON" }
    to: sink
)";

TEST_F(AdminTest, Admin_MetricsParseStrictlyAndCountersAgree) {
  ASSERT_NO_FATAL_FAILURE(start(kGenerateToNull));
  ASSERT_TRUE(wait_until(
      [&] {
        return metrics().sum("sluice_messages_acked_total", {{"connector", "gen"}}) == 3000;
      },
      30s))
      << proc_->output();
  auto m = metrics();
  double in = m.sum("sluice_messages_in_total", {{"connector", "gen"}});
  double out = m.sum("sluice_messages_out_total", {{"connector", "sink"}});
  double matched = m.sum("sluice_route_matched_total", {{"route", "on-only"}});
  double filtered = m.sum("sluice_route_filtered_total", {{"route", "on-only"}});
  double dropped = m.sum("sluice_route_dropped_total", {{"route", "on-only"}});
  EXPECT_EQ(in, 3000);
  EXPECT_EQ(matched, 3000);
  EXPECT_GT(out, 0);
  EXPECT_GT(filtered, 0);
  EXPECT_EQ(in, out + filtered + dropped);
  EXPECT_EQ(m.sum("sluice_messages_nacked_total"), 0);
  EXPECT_EQ(m.sum("sluice_end_to_end_latency_seconds_count"), 3000);
  EXPECT_GT(m.sum("sluice_process_resident_memory_bytes"), 0);
  EXPECT_GT(m.sum("sluice_process_open_fds"), 0);
  EXPECT_EQ(m.sum("sluice_queue_capacity"), 2 * 8192);
  EXPECT_EQ(m.families().at("sluice_end_to_end_latency_seconds").type, "histogram");
  // A plugin's own counter, registered through the ABI.
  bool plugin_metric = false;
  for (const auto& [name, f] : m.families())
    plugin_metric = plugin_metric || name.rfind("sluice_null_", 0) == 0 ||
                    name.rfind("sluice_generate_", 0) == 0;
  EXPECT_TRUE(plugin_metric) << "expected a sluice_<plugin>_* family";
  // Counters follow the Prometheus convention, the plugins' ones included.
  size_t counters = 0;
  for (const auto& [name, f] : m.families()) {
    if (f.type != "counter") continue;
    ++counters;
    EXPECT_TRUE(name.ends_with("_total")) << name;
  }
  EXPECT_GT(counters, 5u);
  EXPECT_EQ(proc_->stop(), 0);
}

TEST_F(AdminTest, Admin_StatsJsonAgreesWithMetrics) {
  ASSERT_NO_FATAL_FAILURE(start(kGenerateToNull));
  ASSERT_TRUE(wait_until(
      [&] {
        return metrics().sum("sluice_messages_acked_total", {{"connector", "gen"}}) == 3000;
      },
      30s));
  auto r = get("/stats");
  ASSERT_EQ(r.status, 200);
  auto stats = boost::json::parse(r.body).as_object();
  EXPECT_EQ(stats.at("node_id"), "admin-test");
  EXPECT_TRUE(stats.contains("routing_time_ewma_us"));
  bool found = false;
  for (const auto& c : stats.at("connectors").as_array()) {
    if (c.at("name") == "gen") {
      found = true;
      EXPECT_EQ(c.at("messages_in").to_number<double>(), 3000);
      EXPECT_EQ(c.at("acked").to_number<double>(), 3000);
      EXPECT_EQ(c.at("healthy"), true);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(stats.at("workers").as_array().size(), 2u);
  EXPECT_EQ(proc_->stop(), 0);
}

TEST_F(AdminTest, Admin_ReadyzFollowsConnectorHealth) {
  auto flag = dir_.path() / "unhealthy";
  ASSERT_NO_FATAL_FAILURE(start(
      "connectors:\n  flaky:\n    plugin: ctest\n    unhealthy_flag_file: " + flag.string() +
      "\n    sink_file: " + (dir_.path() / "sink.txt").string() +
      "\n  gen:\n    plugin: generate\n    rate: 50\nroutes:\n  - from: gen\n    to: flaky\n"));
  ASSERT_TRUE(wait_until([&] { return get("/readyz").status == 200; }, 10s));
  write_file(flag, "down");
  ASSERT_TRUE(wait_until([&] { return get("/readyz").status == 503; }, 10s));
  auto body = boost::json::parse(get("/readyz").body).as_object();
  ASSERT_EQ(body.at("unhealthy").as_array().size(), 1u);
  EXPECT_EQ(body.at("unhealthy").as_array()[0].at("name"), "flaky");
  EXPECT_EQ(metrics().sum("sluice_connector_up", {{"connector", "flaky"}}), 0);
  std::filesystem::remove(flag);
  ASSERT_TRUE(wait_until([&] { return get("/readyz").status == 200; }, 10s));
  EXPECT_EQ(metrics().sum("sluice_connector_up", {{"connector", "flaky"}}), 1);
  EXPECT_EQ(proc_->stop(), 0);
}

// Sends raw bytes and returns the status code of the answer (0 = none).
int raw_status(uint16_t port, const std::string& bytes, std::chrono::seconds wait_for) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return 0;
  }
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  timeval tv{static_cast<long>(wait_for.count()), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[512] = {};
  ssize_t n = ::recv(fd, buf, sizeof buf - 1, 0);
  ::close(fd);
  if (n < 12) return 0;
  return std::atoi(buf + 9);  // "HTTP/1.1 404 ..."
}

TEST_F(AdminTest, Admin_BadRequestsGetProperStatusAndRoutingGoesOn) {
  ASSERT_NO_FATAL_FAILURE(start(R"(connectors:
  gen:
    plugin: generate
    rate: 200
  sink:
    plugin: "null"
routes:
  - from: gen
    to: sink
)"));
  double before = metrics().sum("sluice_messages_in_total", {{"connector", "gen"}});
  EXPECT_EQ(get("/nope").status, 404);
  auto post = http_request("127.0.0.1", port_, "POST", "/metrics");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers["allow"], "GET");
  EXPECT_EQ(http_request("127.0.0.1", port_, "GET", "/reload").status, 405);
  std::string huge(20000, 'a');
  EXPECT_EQ(
      raw_status(port_, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + huge + "\r\n\r\n", 5s),
      431);
  EXPECT_EQ(raw_status(port_, "NOT HTTP AT ALL\r\n\r\n", 5s), 400);
  // A slow client that never finishes its headers is cut off with 408.
  EXPECT_EQ(raw_status(port_, "GET /metrics HTTP/1.1\r\nHost: x\r\n", 15s), 408);
  auto reload = http_request("127.0.0.1", port_, "POST", "/reload");
  EXPECT_EQ(reload.status, 409);
  EXPECT_NE(reload.body.find("no script"), std::string::npos);
  auto page = get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<title>sluice status</title>"), std::string::npos);
  // Routing went on throughout.
  EXPECT_TRUE(wait_until(
      [&] {
        return metrics().sum("sluice_messages_in_total", {{"connector", "gen"}}) > before + 100;
      },
      10s));
  EXPECT_EQ(proc_->stop(), 0);
}

}  // namespace
}  // namespace sluice::test
