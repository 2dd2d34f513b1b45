// The test support library's Process: exit codes, captured output, signals, cleanup.
#include <signal.h>

#include <cerrno>

#include "gtest/gtest.h"
#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

TEST(Process, ReportsExitCode) {
  Process p({"sh", "-c", "exit 3"});
  EXPECT_EQ(p.wait(10s), 3);
  EXPECT_FALSE(p.running());
}

TEST(Process, CapturesStdoutAndStderrTogether) {
  Process p({"sh", "-c", "echo to-out; echo to-err >&2"});
  ASSERT_EQ(p.wait(10s), 0);
  EXPECT_EQ(p.output(), "to-out\nto-err\n");
  EXPECT_EQ(p.error_output(), "");
}

TEST(Process, SplitsStderrWhenAsked) {
  Process p({"sh", "-c", "echo to-out; echo to-err >&2"}, {}, {.split_stderr = true});
  ASSERT_EQ(p.wait(10s), 0);
  EXPECT_EQ(p.output(), "to-out\n");
  EXPECT_EQ(p.error_output(), "to-err\n");
}

TEST(Process, AddsAndRemovesEnvironmentVariables) {
  ::setenv("SLUICE_SUPPORT_TEST_DROPPED", "present", 1);
  Process p(
      {"sh", "-c", "echo \"$SLUICE_SUPPORT_TEST_ADDED/${SLUICE_SUPPORT_TEST_DROPPED:-gone}\""},
      {{"SLUICE_SUPPORT_TEST_ADDED", "hello"}}, {.unset_env = {"SLUICE_SUPPORT_TEST_DROPPED"}});
  ASSERT_EQ(p.wait(10s), 0);
  EXPECT_EQ(p.output(), "hello/gone\n");
  ::unsetenv("SLUICE_SUPPORT_TEST_DROPPED");
}

TEST(Process, RunsInTheGivenWorkingDirectory) {
  TempDir dir;
  Process p({"pwd"}, {}, {.cwd = dir.path().string()});
  ASSERT_EQ(p.wait(10s), 0);
  EXPECT_EQ(p.output(), dir.path().string() + "\n");
}

TEST(Process, FeedsStdinThroughAPipe) {
  Process p({"cat"}, {}, {.stdin_pipe = true});
  p.write_stdin("line one\n");
  p.write_stdin("line two\n");
  p.close_stdin();
  ASSERT_EQ(p.wait(10s), 0);
  EXPECT_EQ(p.output(), "line one\nline two\n");
}

TEST(Process, ReportsDeathBySignalAs128PlusSignal) {
  Process p({"sleep", "30"});
  EXPECT_TRUE(p.running());
  EXPECT_EQ(p.wait(50ms), std::nullopt);
  p.signal(SIGKILL);
  EXPECT_EQ(p.wait(10s), Process::signal_status(SIGKILL));
}

TEST(Process, StopSendsSigtermFirst) {
  Process p({"sleep", "30"});
  EXPECT_EQ(p.stop(5s), Process::signal_status(SIGTERM));
}

TEST(Process, StopEscalatesToSigkillWhenSigtermIsIgnored) {
  // `read` is a shell builtin, so no grandchild outlives the shell.
  Process p({"sh", "-c", "trap '' TERM; echo ready; read line"}, {}, {.stdin_pipe = true});
  ASSERT_TRUE(p.wait_for_output("ready", 10s));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(p.stop(300ms), Process::signal_status(SIGKILL));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
}

TEST(Process, DestructorKillsARunningChild) {
  pid_t pid = -1;
  {
    Process p({"sleep", "30"});
    pid = p.pid();
    ASSERT_TRUE(p.running());
  }
  errno = 0;
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(Process, ThrowsWhenTheProgramDoesNotExist) {
  EXPECT_THROW(Process({"/nonexistent/sluice-no-such-program"}), std::runtime_error);
}

TEST(Process, WaitForOutputStopsEarlyWhenTheProcessExits) {
  Process p({"sh", "-c", "echo something-else"});
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(p.wait_for_output("never printed", 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(RunCommand, ReturnsExitCodeAndOutput) {
  std::string output;
  EXPECT_EQ(run_command({"sh", "-c", "echo hi; exit 7"}, {}, &output), 7);
  EXPECT_EQ(output, "hi\n");
}

TEST(RunCommand, KillsAndReportsACommandThatTimesOut) {
  std::string output;
  EXPECT_EQ(run_command({"sleep", "30"}, {}, &output, 200ms), -1);
  EXPECT_NE(output.find("timed out"), std::string::npos);
}

}  // namespace
}  // namespace sluice::test
