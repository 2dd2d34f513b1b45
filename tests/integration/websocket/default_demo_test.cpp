// The shipped config/sluice.yaml (what ./scripts/run.sh runs) as a user sees
// it: the live viewer is served, a client filtering by device ids gets only
// its devices at no more than 2 events per second each, and routes.lua
// prints its fleet summary on stdout.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "support/sluice_test.hpp"
#include "ws_test_client.hpp"

namespace sluice::websocket::testing {
namespace {

using namespace std::chrono_literals;

TEST(DefaultDemo, ViewerServedAndDevicesThrottledToTwoPerSecond) {
  auto config = (std::filesystem::path(test::source_dir()) / "config" / "sluice.yaml").string();
  uint16_t ws_port = test::free_tcp_port();
  uint16_t admin_port = test::free_tcp_port();
  test::ProcessOptions options;
  options.split_stderr = true;  // stdout holds the summaries only
  auto sluice =
      test::SluiceProcess::run(config, {},
                               {{"SLUICE_WS_LISTEN", "127.0.0.1:" + std::to_string(ws_port)},
                                {"SLUICE_ADMIN_LISTEN", "127.0.0.1:" + std::to_string(admin_port)}},
                               options);
  ASSERT_TRUE(test::wait_until(
      [&] { return !sluice.running() || test::tcp_port_open("127.0.0.1", ws_port); }, 30s));
  ASSERT_TRUE(sluice.running()) << sluice.error_output();

  auto viewer = test::http_get("127.0.0.1", ws_port, "/");
  EXPECT_EQ(viewer.status, 200);
  EXPECT_NE(viewer.body.find("<html"), std::string::npos);

  const std::set<std::string> wanted{"0848086001", "0848086002", "0848086003"};
  WsTestClient client(ws_port, "/api/v1/stream?device_ids=0848086001,0848086002,0848086003");
  ASSERT_TRUE(client.connected()) << client.error();
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(4s);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Each device sends about 5 events per second; the route lets 2 through.
  std::map<std::string, int> per_device;
  for (const auto& frame : client.take_all()) {
    auto event = boost::json::parse(frame).as_object();  // raw: the payload as generated
    auto device = std::string(event.at("data").as_object().at("DEVICE_ID").as_string());
    EXPECT_TRUE(wanted.count(device)) << frame;
    ++per_device[device];
  }
  int total = 0;
  for (const auto& [device, count] : per_device) {
    // Rate 2/s after a full bucket of 2, and one frame in flight at the start.
    EXPECT_LE(count, 2 * seconds + 3) << device;
    total += count;
  }
  EXPECT_GE(total, 6) << "three devices at up to 2/s for 4 s delivered only " << total;

  EXPECT_TRUE(sluice.wait_for_output("\"summary\":\"fleet\"", 10s))
      << sluice.output() << sluice.error_output();
  EXPECT_EQ(sluice.stop(15s), 0) << sluice.error_output();
}

}  // namespace
}  // namespace sluice::websocket::testing
