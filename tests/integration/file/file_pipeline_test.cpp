// The file plugin through the real `sluice` binary: file -> file copies,
// checkpoint resume, graceful shutdown without loss, sink formats.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <map>
#include <set>

#include "pipeline_config.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::file {
namespace {

using namespace std::chrono_literals;

// Runs sluice to completion with --exit-when-done; fails the test with the
// log when it does not exit 0 in time.
void run_to_completion(const std::string& config, std::chrono::milliseconds timeout = 120s) {
  auto sluice = SluiceProcess::run(config, {"--exit-when-done"});
  auto status = sluice.wait(timeout);
  ASSERT_TRUE(status.has_value()) << "sluice did not exit in time:\n" << sluice.output();
  ASSERT_EQ(*status, 0) << sluice.output();
}

TEST(FilePipeline, CopiesEveryLineExactlyOnceInOrder) {
  TempDir dir;
  const size_t kLines = 100000;
  write_file(dir.file("in.txt"), numbered_lines(0, kLines));
  write_file(dir.file("sluice.yaml"), pipeline_yaml(dir, dir.file("in.txt"), dir.file("out.txt")));
  run_to_completion(dir.file("sluice.yaml"));

  auto lines = read_lines(dir.file("out.txt"));
  ASSERT_EQ(lines.size(), kLines);
  for (size_t i = 0; i < kLines; ++i) ASSERT_EQ(lines[i], line_text(i)) << "at line " << i;
}

TEST(FilePipeline, RestartResumesAfterTheLastAckedLine) {
  TempDir dir;
  write_file(dir.file("in.txt"), numbered_lines(0, 1000));
  write_file(dir.file("sluice.yaml"), pipeline_yaml(dir, dir.file("in.txt"), dir.file("out.txt")));
  run_to_completion(dir.file("sluice.yaml"));
  ASSERT_EQ(count_lines(dir.file("out.txt")), 1000u);

  // The checkpoint sits at the end of the file: a second run reads nothing.
  auto checkpoint = boost::json::parse(read_file(dir.file("state/in.checkpoint"))).as_object();
  uint64_t size = numbered_lines(0, 1000).size();
  EXPECT_EQ(checkpoint.at("offset").to_number<uint64_t>(), size);
  auto second = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"});
  ASSERT_EQ(second.wait(120s).value_or(-1), 0) << second.output();
  EXPECT_EQ(count_lines(dir.file("out.txt")), 1000u);
  // ...and says why, and how to start over, rather than only "finished".
  ASSERT_EQ(size, 41000u);  // 1,000 lines of 41 bytes
  EXPECT_NE(second.output().find("resuming " + dir.file("in.txt") +
                                 " after line 1,000, byte 41,000 of 41,000"),
            std::string::npos)
      << second.output();
  EXPECT_NE(
      second.output().find("(the end: nothing to read), from checkpoint " +
                           dir.file("state/in.checkpoint") + "; delete it to read from the start"),
      std::string::npos)
      << second.output();

  // Appended lines, and only they, are read by the next run.
  append_file(dir.file("in.txt"), numbered_lines(1000, 500));
  run_to_completion(dir.file("sluice.yaml"));
  auto lines = read_lines(dir.file("out.txt"));
  ASSERT_EQ(lines.size(), 1500u);
  for (size_t i = 0; i < lines.size(); ++i) ASSERT_EQ(lines[i], line_text(i));
}

// SIGTERM in the middle of a copy, then a restart: nothing accepted is
// lost, and the restart resumes from the checkpoint rather than from the
// beginning. Duplicates are counted and reported.
TEST(FilePipeline, GracefulShutdownMidwayLosesNoLine) {
  TempDir dir;
  const size_t kLines = 100000;
  write_file(dir.file("in.txt"), numbered_lines(0, kLines));
  // At most 1000 lines past the checkpoint, and a sink that completes a
  // batch every 20 ms: the copy cannot go faster than ~50k lines/s, so the
  // signal surely lands mid-way.
  write_file(dir.file("sluice.yaml"),
             pipeline_yaml(dir, dir.file("in.txt"), dir.file("out.txt"),
                           ", max_uncommitted_lines: 1000, checkpoint_interval_ms: 50",
                           ", batch_bytes: 10000000, flush_interval_ms: 20"));

  auto first = SluiceProcess::run(dir.file("sluice.yaml"));
  ASSERT_TRUE(wait_until([&] { return count_lines(dir.file("out.txt")) >= 10000; }, 60s))
      << first.output();
  first.signal(SIGTERM);
  auto status = first.wait(60s);
  ASSERT_TRUE(status.has_value()) << first.output();
  ASSERT_EQ(*status, 0) << first.output();
  size_t first_run_lines = count_lines(dir.file("out.txt"));
  ASSERT_LT(first_run_lines, kLines) << "the copy finished before SIGTERM: not a mid-way stop";

  // The checkpoint covers every line written: no line was acked unwritten.
  auto checkpoint = boost::json::parse(read_file(dir.file("state/in.checkpoint"))).as_object();
  uint64_t offset = checkpoint.at("offset").to_number<uint64_t>();
  EXPECT_GT(offset, 0u);
  EXPECT_LE(offset, numbered_lines(0, first_run_lines).size());

  run_to_completion(dir.file("sluice.yaml"));

  std::map<std::string, int> seen;
  for (const auto& line : read_lines(dir.file("out.txt"))) ++seen[line];
  size_t duplicates = 0;
  for (size_t i = 0; i < kLines; ++i) {
    auto it = seen.find(line_text(i));
    ASSERT_NE(it, seen.end()) << "line " << i << " is missing";
    duplicates += static_cast<size_t>(it->second - 1);
  }
  EXPECT_EQ(seen.size(), kLines) << "lines that were never in the input";
  std::cout << "[ measured ] first run wrote " << first_run_lines << " lines; " << duplicates
            << " duplicates after the restart\n";
  RecordProperty("duplicates", static_cast<int>(duplicates));
  // A graceful stop writes the final checkpoint after the drain: nothing
  // needs to be read twice.
  EXPECT_EQ(duplicates, 0u);
}

TEST(FilePipeline, JsonSinkWritesOneObjectPerLine) {
  TempDir dir;
  write_file(dir.file("in.txt"), "{\"a\": 1,\n\"not json\n");
  write_file(dir.file("sluice.yaml"), pipeline_yaml(dir, dir.file("in.txt"), dir.file("out.jsonl"),
                                                    ", subject: \"events\"", ", format: json"));
  run_to_completion(dir.file("sluice.yaml"));

  auto lines = read_lines(dir.file("out.jsonl"));
  ASSERT_EQ(lines.size(), 2u);
  // `{"a": 1,` is not valid JSON on its own: embedded as a string.
  for (const auto& line : lines) {
    auto o = boost::json::parse(line).as_object();
    EXPECT_EQ(o.at("subject").as_string(), "events");
    EXPECT_TRUE(o.at("key").is_null());
    EXPECT_TRUE(o.at("headers").is_object());
    EXPECT_GT(o.at("timestamp").to_number<int64_t>(), 0);
    EXPECT_TRUE(o.at("payload").is_string());
  }
  EXPECT_EQ(boost::json::parse(lines[1]).at("payload").as_string(), "\"not json");
}

TEST(FilePipeline, OverlongLineIsSkippedWithWarning) {
  TempDir dir;
  write_file(dir.file("in.txt"), "short 1\n" + std::string(500, 'y') + "\nshort 2\n");
  write_file(dir.file("sluice.yaml"),
             pipeline_yaml(dir, dir.file("in.txt"), dir.file("out.txt"), ", max_line_bytes: 100"));
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"});
  auto status = sluice.wait(60s);
  ASSERT_TRUE(status.has_value());
  ASSERT_EQ(*status, 0) << sluice.output();
  EXPECT_EQ(read_lines(dir.file("out.txt")), (std::vector<std::string>{"short 1", "short 2"}));
  EXPECT_NE(sluice.output().find("longer than 100 bytes"), std::string::npos) << sluice.output();
}

TEST(FilePipeline, SinkCreatesParentDirectories) {
  TempDir dir;
  write_file(dir.file("in.txt"), "one\ntwo\n");
  std::string out = dir.file("deep/er/out.txt");
  write_file(dir.file("sluice.yaml"), pipeline_yaml(dir, dir.file("in.txt"), out));
  run_to_completion(dir.file("sluice.yaml"));
  EXPECT_EQ(read_lines(out), (std::vector<std::string>{"one", "two"}));
}

TEST(FilePipeline, CheckRejectsUnknownSettingWithSuggestion) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"),
             pipeline_yaml(dir, dir.file("in.txt"), dir.file("out.txt"), ", folow: true"));
  std::string output;
  int status = run_sluice({"check", "-c", dir.file("sluice.yaml")}, &output);
  EXPECT_NE(status, 0) << output;
  EXPECT_NE(output.find("folow"), std::string::npos) << output;
  EXPECT_NE(output.find("did you mean 'follow'"), std::string::npos) << output;
}

}  // namespace
}  // namespace sluice::test::file
