// Hostile scripts through the real `sluice` binary: a handler that tries to
// outrun its budget fails its message (counted) and SIGTERM still stops the
// process in time; a top level that never ends makes `sluice check` and a
// reload fail quickly with the error, and the running script stays.
#include <gtest/gtest.h>

#include <csignal>

#include "prometheus_parser.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kRunaway = "while true do pcall(function() while true do end end) end";

class ScriptBudgetTest : public ::testing::Test {
 protected:
  // A config running `script` on a generator emitting `count` messages
  // (0 = forever, at 200/s).
  std::string config(const std::string& script, int count) {
    port_ = free_tcp_port();
    write_file(dir_.file("routes.lua"), script);
    write_file(dir_.file("sluice.yaml"), R"(node_id: budget
workers: 1
shutdown_timeout_ms: 2000
state_dir: )" + dir_.file("state") + R"(
script: routes.lua
script_limits: { instructions: 100000 }
admin: { listen: 127.0.0.1:)" + std::to_string(port_) +
                                             R"( }
connectors:
  gen: { plugin: generate, count: )" + std::to_string(count) +
                                             R"(, rate: 200, payload: 'm${counter}' }
  dead: { plugin: file, mode: sink, path: )" +
                                             dir_.file("dead.txt") +
                                             R"(, format: json }
  out: { plugin: "null" }
)");
    return dir_.file("sluice.yaml");
  }

  double metric(const std::string& name, const std::map<std::string, std::string>& labels) {
    auto r = http_get("127.0.0.1", port_, "/metrics");
    if (r.status != 200) return -1;
    return PromText::parse(r.body).sum(name, labels);
  }

  TempDir dir_;
  uint16_t port_ = 0;
};

TEST_F(ScriptBudgetTest, Run_RunawayHandlerIsCountedAndSigtermStillStops) {
  auto path = config(std::string(R"(sluice.on("gen", function(msg) )") + kRunaway +
                         R"( end, { name = "hostile", dead_letter = "dead" }))",
                     3);
  auto sluice = SluiceProcess::run(path);
  ASSERT_TRUE(wait_until(
      [&] {
        return metric("sluice_script_errors_total", {{"handler", "hostile"}}) == 3;
      },
      20s))
      << sluice.output();
  // The file sink writes in batches: wait for the dead letters to land.
  EXPECT_TRUE(wait_until(
      [&] {
        return std::filesystem::exists(dir_.file("dead.txt")) &&
               read_file(dir_.file("dead.txt")).find("instruction budget exceeded") !=
                   std::string::npos;
      },
      10s));
  EXPECT_EQ(http_get("127.0.0.1", port_, "/healthz").status, 200);
  auto signalled = Clock::now();
  sluice.signal(SIGTERM);
  auto status = sluice.wait(10s);
  ASSERT_TRUE(status.has_value()) << "sluice ignored SIGTERM:\n" << sluice.output();
  EXPECT_LT(Clock::now() - signalled, 3s);
}

TEST_F(ScriptBudgetTest, Check_TopLevelThatNeverEndsFailsQuicklyWithTheError) {
  auto path = config(std::string("\n") + kRunaway + "\n", 1);
  std::string output;
  auto started = Clock::now();
  int status = run_sluice({"check", "-c", path}, &output, {}, 30s);
  EXPECT_NE(status, 0) << output;
  EXPECT_NE(status, -1) << "sluice check hung:\n" << output;
  EXPECT_LT(Clock::now() - started, 10s);
  EXPECT_NE(output.find(dir_.file("routes.lua") + ":2: instruction budget exceeded"),
            std::string::npos)
      << output;
}

TEST_F(ScriptBudgetTest, Reload_TopLevelThatNeverEndsIsRefusedAndTheOldScriptStays) {
  auto path = config(R"(sluice.on("gen", function(msg) sluice.publish("out", msg) end,
  { name = "good" }))",
                     0);
  auto sluice = SluiceProcess::run(path);
  ASSERT_TRUE(wait_until(
      [&] {
        return metric("sluice_route_matched_total", {{"route", "good"}}) > 0;
      },
      20s))
      << sluice.output();
  write_file(dir_.file("routes.lua"), std::string("\n") + kRunaway + "\n");
  auto reload = http_request("127.0.0.1", port_, "POST", "/reload", "", {}, 15s);
  EXPECT_EQ(reload.status, 409) << reload.body << reload.error;
  EXPECT_NE(reload.body.find("instruction budget exceeded"), std::string::npos) << reload.body;
  EXPECT_EQ(http_get("127.0.0.1", port_, "/healthz").status, 200);
  double before = metric("sluice_route_matched_total", {{"route", "good"}});
  EXPECT_TRUE(wait_until(
      [&] {
        return metric("sluice_route_matched_total", {{"route", "good"}}) > before + 10;
      },
      10s));
  sluice.signal(SIGTERM);
  auto status = sluice.wait(10s);
  ASSERT_TRUE(status.has_value()) << sluice.output();
  EXPECT_EQ(*status, 0) << sluice.output();
}

}  // namespace
}  // namespace sluice::test
