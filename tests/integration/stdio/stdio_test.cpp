// The stdio plugin through the real `sluice` binary: stdin -> stdout round
// trips, raw and JSON, with logs kept off stdout.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>

#include "stdio_settings.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

std::string stdio_yaml(const TempDir& dir, const std::string& sink_extra = "",
                       const std::string& source_extra = "") {
  return "workers: 1\n"
         "admin: { enabled: false }\n"
         "state_dir: " +
         dir.file("state") +
         "\n"
         "connectors:\n"
         "  in: { plugin: stdio, mode: source" +
         source_extra +
         " }\n"
         "  out: { plugin: stdio, mode: sink" +
         sink_extra +
         " }\n"
         "routes:\n"
         "  - from: in\n"
         "    to: out\n";
}

struct Run {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs sluice with `input` on stdin until it exits by itself.
Run run_with_stdin(const TempDir& dir, const std::string& yaml, const std::string& input) {
  write_file(dir.file("sluice.yaml"), yaml);
  write_file(dir.file("stdin.txt"), input);
  ProcessOptions options;
  options.split_stderr = true;
  options.stdin_file = dir.file("stdin.txt");
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"}, {}, options);
  Run run;
  auto status = sluice.wait(60s);
  run.status = status.value_or(-1);
  run.out = sluice.output();
  run.err = sluice.error_output();
  return run;
}

TEST(Stdio, RawRoundTripKeepsEveryLineInOrder) {
  TempDir dir;
  std::string input;
  for (int i = 0; i < 5000; ++i) input += "message " + std::to_string(i) + "\n";
  auto run = run_with_stdin(dir, stdio_yaml(dir), input);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, input) << "stdout must carry exactly the messages (logs go to stderr)";
}

TEST(Stdio, LastLineWithoutNewlineAndEmptyLines) {
  TempDir dir;
  auto run = run_with_stdin(dir, stdio_yaml(dir), "a\r\n\n\nb\nlast");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "a\nb\nlast\n");
}

TEST(Stdio, JsonFormatCarriesSubjectAndEmbedsJsonPayloads) {
  TempDir dir;
  auto run = run_with_stdin(dir, stdio_yaml(dir, ", format: json", ", subject: \"in.lines\""),
                            "{\"speed\": 42}\nplain text\n");
  ASSERT_EQ(run.status, 0) << run.err;
  std::istringstream lines(run.out);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  auto a = boost::json::parse(first).as_object();
  EXPECT_EQ(a.at("subject").as_string(), "in.lines");
  EXPECT_TRUE(a.at("key").is_null());
  EXPECT_EQ(a.at("payload").at("speed").to_number<int>(), 42);
  auto b = boost::json::parse(second).as_object();
  EXPECT_EQ(b.at("payload").as_string(), "plain text");
}

TEST(Stdio, OverlongLineIsCountedAndSkipped) {
  TempDir dir;
  auto run = run_with_stdin(dir, stdio_yaml(dir, "", ", max_line_bytes: 64"),
                            "ok 1\n" + std::string(10000, 'x') + "\nok 2\n");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "ok 1\nok 2\n");
  EXPECT_NE(run.err.find("longer than 64 bytes"), std::string::npos) << run.err;
}

TEST(Stdio, StdoutPipeThatFillsUpGetsEveryLineInOrder) {
  // More than the pipe holds, and nothing read until it is full: the sink
  // must wait for room (its writes into a pipe are non-blocking) and go on.
  TempDir dir;
  std::string input;
  for (int i = 0; i < 20000; ++i) input += "line " + std::to_string(i) + "\n";
  write_file(dir.file("sluice.yaml"), stdio_yaml(dir));
  write_file(dir.file("stdin.txt"), input);
  ProcessOptions options;
  options.stdin_file = dir.file("stdin.txt");
  options.stdout_pipe = true;
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"}, {}, options);
  int pipe_fd = sluice.stdout_pipe_fd();
  int capacity = ::fcntl(pipe_fd, F_GETPIPE_SZ);
  ASSERT_LT(capacity, static_cast<int>(input.size()));
  auto pipe_full = [&] { return sluice.stdout_pipe_full(); };
  ASSERT_TRUE(wait_until(pipe_full, 30s)) << sluice.output();
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(pipe_fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    ASSERT_GT(n, 0) << std::strerror(errno);
    out.append(buf, static_cast<size_t>(n));
  }
  EXPECT_EQ(sluice.wait(30s), 0) << sluice.output();
  EXPECT_EQ(out, input);
}

TEST(Stdio, BackpressureFromASlowPipelineLosesNothing) {
  // One message in flight at a time at the sink: the reader must wait.
  TempDir dir;
  std::string input;
  for (int i = 0; i < 20000; ++i) input += std::to_string(i) + "\n";
  auto run =
      run_with_stdin(dir, stdio_yaml(dir, ", max_in_flight: 1, flush_interval_ms: 1"), input);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, input);
}

TEST(StdioReadme, ContainsTheGeneratedSettingsTable) {
  std::string readme = read_file(source_dir() + "/plugins/stdio/README.md");
  EXPECT_NE(readme.find(stdio::stdio_settings().markdown_table()), std::string::npos)
      << stdio::stdio_settings().markdown_table();
}

}  // namespace
}  // namespace sluice::test
