// The file source in follow mode through the real `sluice` binary: appended
// lines, truncation, rotation by rename, a file that appears later, and
// start_at: end.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>

#include "pipeline_config.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::file {
namespace {

using namespace std::chrono_literals;

bool output_has(const std::string& path, const std::vector<std::string>& wanted) {
  if (!std::filesystem::exists(path)) return false;
  auto lines = read_lines(path);
  for (const auto& w : wanted)
    if (std::find(lines.begin(), lines.end(), w) == lines.end()) return false;
  return true;
}

void stop_cleanly(SluiceProcess& sluice) {
  sluice.signal(SIGTERM);
  auto status = sluice.wait(30s);
  ASSERT_TRUE(status.has_value()) << sluice.output();
  EXPECT_EQ(*status, 0) << sluice.output();
}

TEST(FileFollow, PicksUpAppendedLinesAndSurvivesTruncationAndRotation) {
  TempDir dir;
  std::string in = dir.file("app.log"), out = dir.file("out.txt");
  write_file(in, "first 1\nfirst 2\n");
  write_file(dir.file("sluice.yaml"),
             pipeline_yaml(dir, in, out, ", follow: true, poll_interval_ms: 20"));
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));

  ASSERT_TRUE(wait_until(
      [&] {
        return output_has(out, {"first 1", "first 2"});
      },
      30s))
      << sluice.output();

  // Appended data, including a line written in two parts.
  append_file(in, "appended 1\npart");
  append_file(in, "ial line\n");
  ASSERT_TRUE(wait_until(
      [&] {
        return output_has(out, {"appended 1", "partial line"});
      },
      30s))
      << sluice.output();
  EXPECT_FALSE(output_has(out, {"part"})) << "an unterminated line was emitted early";

  // Truncation (copytruncate style): the file starts over, shorter.
  write_file(in, "after truncate\n");
  ASSERT_TRUE(wait_until([&] { return output_has(out, {"after truncate"}); }, 30s))
      << sluice.output();

  // Rotation: rename, a late write to the old file, then a new file.
  std::filesystem::rename(in, in + ".1");
  append_file(in + ".1", "late in old file\n");
  write_file(in, "new file 1\n");
  ASSERT_TRUE(wait_until(
      [&] {
        return output_has(out, {"late in old file", "new file 1"});
      },
      30s))
      << sluice.output();
  append_file(in, "new file 2\n");
  ASSERT_TRUE(wait_until([&] { return output_has(out, {"new file 2"}); }, 30s)) << sluice.output();

  stop_cleanly(sluice);
  auto lines = read_lines(out);
  std::vector<std::string> expected{"first 1",      "first 2",        "appended 1",
                                    "partial line", "after truncate", "late in old file",
                                    "new file 1",   "new file 2"};
  EXPECT_EQ(lines, expected);
}

TEST(FileFollow, WaitsForAFileThatDoesNotExistYet) {
  TempDir dir;
  std::string in = dir.file("later.log"), out = dir.file("out.txt");
  write_file(dir.file("sluice.yaml"),
             pipeline_yaml(dir, in, out, ", follow: true, poll_interval_ms: 20"));
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));
  ASSERT_TRUE(sluice.wait_for_output("waiting for it to appear", 30s)) << sluice.output();
  write_file(in, "hello\n");
  ASSERT_TRUE(wait_until([&] { return output_has(out, {"hello"}); }, 30s)) << sluice.output();
  stop_cleanly(sluice);
}

TEST(FileFollow, StartAtEndSkipsExistingLinesAndResumesFromCheckpoint) {
  TempDir dir;
  std::string in = dir.file("app.log"), out = dir.file("out.txt");
  write_file(in, "old 1\nold 2\n");
  write_file(dir.file("sluice.yaml"),
             pipeline_yaml(dir, in, out,
                           ", follow: true, start_at: end, poll_interval_ms: 20, "
                           "checkpoint_interval_ms: 20"));
  {
    auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));
    // The source has opened the file (at its end) once it reports started.
    ASSERT_TRUE(sluice.wait_for_output("[in] started", 30s)) << sluice.output();
    append_file(in, "new 1\n");
    ASSERT_TRUE(wait_until([&] { return output_has(out, {"new 1"}); }, 30s)) << sluice.output();
    stop_cleanly(sluice);
  }
  // While stopped, more lines arrive; the restart reads exactly those.
  append_file(in, "new 2\n");
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));
  ASSERT_TRUE(wait_until([&] { return output_has(out, {"new 2"}); }, 30s)) << sluice.output();
  stop_cleanly(sluice);
  EXPECT_EQ(read_lines(out), (std::vector<std::string>{"new 1", "new 2"}));
}

}  // namespace
}  // namespace sluice::test::file
