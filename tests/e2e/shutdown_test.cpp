// `sluice run` leaves within shutdown_timeout_ms (plus a small grace) after
// SIGTERM whatever its sinks are stuck in, exits with status 1 (messages
// left unsettled), and leaves at once on a second signal.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kUnsettledStatus = 1;  // `sluice --help`: messages left unsettled at shutdown
constexpr const char* kWatchdogLine = "exiting now with status";

// The promise is the timeout plus a small constant; a sanitizer build also
// spends a while in its leak check as the process exits normally.
#ifdef __SANITIZE_ADDRESS__
constexpr std::chrono::milliseconds kExitSlack = 1000ms;
#else
constexpr std::chrono::milliseconds kExitSlack = 0ms;
#endif

std::string config_with(int shutdown_timeout_ms, const std::string& sink) {
  return "node_id: shutdown-test\nworkers: 1\nadmin: { enabled: false }\nshutdown_timeout_ms: " +
         std::to_string(shutdown_timeout_ms) + R"(
connectors:
  gen:
    plugin: generate
    payload: '{"n":${counter},"pad":"................................................"}'
  out:
)" + sink +
         R"(
routes:
  - from: gen
    to: out
)";
}

// Sends `sig` and measures how long the process takes to exit (at most
// `limit`; it is killed after that by its destructor).
struct Exit {
  std::optional<int> status;
  std::chrono::milliseconds took;
};
Exit signal_and_time_exit(Process& process, int sig, std::chrono::milliseconds limit) {
  auto t0 = Clock::now();
  process.signal(sig);
  auto status = process.wait(limit);
  return {status, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0)};
}

TEST(Shutdown, StdoutPipeNobodyReads_ExitsWithinTheTimeout) {
  TempDir dir;
  write_file(
      dir.file("sluice.yaml"),
      config_with(2000, "    plugin: stdio\n    mode: sink\n    max_pending_bytes: 65536\n"));
  ProcessOptions options;
  options.stdout_pipe = true;
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {}, {}, options);
  auto pipe_full = [&] { return sluice.stdout_pipe_full(); };
  ASSERT_TRUE(wait_until(pipe_full, 20s)) << sluice.output();
  ASSERT_TRUE(sluice.wait_for_output("running:", 20s)) << sluice.output();

  auto exit = signal_and_time_exit(sluice, SIGTERM, 10s);
  ASSERT_TRUE(exit.status) << "still running 10 s after SIGTERM\n" << sluice.output();
  EXPECT_LT(exit.took, 3000ms + kExitSlack) << sluice.output();
  EXPECT_EQ(*exit.status, kUnsettledStatus) << sluice.output();
  // The stdio sink let go by itself: the graceful path ended it, not the watchdog.
  EXPECT_NE(sluice.output().find("were not settled before shutdown_timeout_ms"), std::string::npos)
      << sluice.output();
  EXPECT_EQ(sluice.output().find(kWatchdogLine), std::string::npos) << sluice.output();
}

TEST(Shutdown, SinkThatNeverLetsGo_IsAbandonedAtTheTimeout) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"), config_with(1000, "    plugin: stall\n"));
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));
  ASSERT_TRUE(sluice.wait_for_output("running:", 20s)) << sluice.output();

  auto exit = signal_and_time_exit(sluice, SIGTERM, 10s);
  ASSERT_TRUE(exit.status) << "still running 10 s after SIGTERM\n" << sluice.output();
  EXPECT_LT(exit.took, 2000ms) << sluice.output();
  EXPECT_EQ(*exit.status, kUnsettledStatus) << sluice.output();
  // The log says what held shutdown up.
  EXPECT_NE(
      sluice.output().find("did not finish within shutdown_timeout_ms (1000 ms): " +
                           std::string(kWatchdogLine) + " 1 while destroying connector 'out'"),
      std::string::npos)
      << sluice.output();
}

TEST(Shutdown, SecondSignal_ExitsAtOnce) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"), config_with(60000, "    plugin: stall\n"));
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));
  ASSERT_TRUE(sluice.wait_for_output("running:", 20s)) << sluice.output();
  auto first = Clock::now();
  sluice.signal(SIGTERM);
  ASSERT_TRUE(sluice.wait_for_output("draining", 10s)) << sluice.output();
  // A signal within 100 ms of the first counts as the same one (`timeout`).
  std::this_thread::sleep_until(first + 300ms);

  auto exit = signal_and_time_exit(sluice, SIGINT, 10s);
  ASSERT_TRUE(exit.status) << "still running 10 s after a second signal\n" << sluice.output();
  EXPECT_LT(exit.took, 1000ms) << sluice.output();
  EXPECT_EQ(*exit.status, kUnsettledStatus) << sluice.output();
  EXPECT_NE(sluice.output().find("second SIGINT during shutdown"), std::string::npos)
      << sluice.output();
}

// GNU `timeout -s INT` signals its child, then its whole process group: two
// signals at once are one request to stop, not a second one that forces.
TEST(Shutdown, TwoSignalsAtOnce_AreOneRequestToStop) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"), config_with(5000, "    plugin: \"null\"\n"));
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));
  ASSERT_TRUE(sluice.wait_for_output("running:", 20s)) << sluice.output();
  // The second comes after the watchdog took the first (sent together, the
  // kernel would merge them into one) but well within its 100 ms window.
  auto first = Clock::now();
  sluice.signal(SIGINT);
  std::this_thread::sleep_for(30ms);
  if (Clock::now() - first > 90ms) GTEST_SKIP() << "this machine paused the test past the window";
  auto exit = signal_and_time_exit(sluice, SIGINT, 10s);
  ASSERT_TRUE(exit.status) << "still running 10 s after SIGINT\n" << sluice.output();
  EXPECT_EQ(*exit.status, 0) << sluice.output();
  EXPECT_EQ(sluice.output().find("second SIGINT"), std::string::npos) << sluice.output();
}

}  // namespace
}  // namespace sluice::test
