// A source's messages without a key go to the worker their subject hashes
// to (one subject keeps its order); with the connector's `order: none` they
// are spread over every worker. /stats counts what each worker routed.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

// Messages each worker routed once all `count` generated ones were acked.
std::vector<int64_t> per_worker(const std::string& order_setting, int count) {
  TempDir dir;
  uint16_t port = free_tcp_port();
  std::string config = dir.file("sluice.yaml");
  write_file(
      config,
      "node_id: spread-test\nworkers: 2\nadmin:\n  listen: 127.0.0.1:" + std::to_string(port) +
          "\nconnectors:\n  gen:\n    plugin: generate\n    count: " + std::to_string(count) +
          "\n" + order_setting +
          "  sink:\n    plugin: \"null\"\nroutes:\n  - from: gen\n    to: sink\n");
  SluiceProcess sluice = SluiceProcess::run(config);
  std::vector<int64_t> routed;
  bool done = wait_until(
      [&] {
        auto r = http_get("127.0.0.1", port, "/stats");
        if (r.status != 200) return false;
        routed.clear();
        int64_t total = 0;
        boost::json::value stats = boost::json::parse(r.body);
        for (const auto& w : stats.at("workers").as_array()) {
          routed.push_back(w.at("messages").to_number<int64_t>());
          total += routed.back();
        }
        return total == count;
      },
      30s);
  EXPECT_TRUE(done) << sluice.output();
  sluice.stop();
  return routed;
}

TEST(WorkerSpread, KeylessMessagesOfOneSubjectStayOnOneWorker) {
  auto routed = per_worker("", 2000);
  ASSERT_EQ(routed.size(), 2u);
  EXPECT_TRUE((routed[0] == 2000 && routed[1] == 0) || (routed[0] == 0 && routed[1] == 2000))
      << routed[0] << " / " << routed[1];
}

TEST(WorkerSpread, OrderNone_SpreadsKeylessMessagesOverTheWorkers) {
  auto routed = per_worker("    order: none\n", 2000);
  ASSERT_EQ(routed.size(), 2u);
  // Runs of 64 in turn: each worker gets about half.
  EXPECT_GT(routed[0], 500) << routed[0] << " / " << routed[1];
  EXPECT_GT(routed[1], 500) << routed[0] << " / " << routed[1];
}

TEST(WorkerSpread, CheckRefusesAnUnknownOrder) {
  TempDir dir;
  std::string config = dir.file("sluice.yaml");
  write_file(config,
             "connectors:\n  gen:\n    plugin: generate\n    order: random\n"
             "  sink:\n    plugin: \"null\"\nroutes:\n  - from: gen\n    to: sink\n");
  std::string output;
  EXPECT_NE(run_sluice({"check", "-c", config}, &output), 0);
  EXPECT_NE(output.find("connectors.gen.order"), std::string::npos) << output;
  EXPECT_NE(output.find("none"), std::string::npos) << output;
}

}  // namespace
}  // namespace sluice::test
