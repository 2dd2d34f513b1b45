// The file sink across crashes, through the real `sluice` binary: a
// half-written last line is cut when the sink opens the file, and kill -9 at
// any moment leaves valid JSON lines with every input line present.
#include <gtest/gtest.h>

#include "pipeline_config.hpp"
#include "support/crash_loop.hpp"
#include "support/numbered_json_lines.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::file {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kRepairWarning = "ended in an unterminated line";

// Runs the file -> file copy to its end; returns its log.
std::string run_to_completion(const std::string& config) {
  auto sluice = SluiceProcess::run(config, {"--exit-when-done"});
  auto status = sluice.wait(120s);
  EXPECT_TRUE(status.has_value()) << "sluice did not exit in time:\n" << sluice.output();
  EXPECT_EQ(status.value_or(-1), 0) << sluice.output();
  return sluice.output();
}

TEST(FileSinkCrash, OpeningCutsAnUnterminatedLastLine) {
  TempDir dir;
  const std::string torn = "{\"data\":{\"DEVICE_ID\":\"0848086398\",\"LATI";
  write_file(dir.file("out.txt"), "kept 1\nkept 2\n" + torn);
  write_file(dir.file("in.txt"), "new 1\nnew 2\n");
  write_file(dir.file("sluice.yaml"), pipeline_yaml(dir, dir.file("in.txt"), dir.file("out.txt")));
  std::string log = run_to_completion(dir.file("sluice.yaml"));
  EXPECT_EQ(read_file(dir.file("out.txt")), "kept 1\nkept 2\nnew 1\nnew 2\n");
  EXPECT_NE(log.find(kRepairWarning), std::string::npos) << log;
  EXPECT_NE(log.find("cut its last " + std::to_string(torn.size()) + " bytes"), std::string::npos)
      << log;
}

TEST(FileSinkCrash, OpeningLeavesATerminatedFileUntouched) {
  TempDir dir;
  write_file(dir.file("out.txt"), "kept 1\nkept 2\n");
  write_file(dir.file("in.txt"), "new 1\n");
  write_file(dir.file("sluice.yaml"), pipeline_yaml(dir, dir.file("in.txt"), dir.file("out.txt")));
  std::string log = run_to_completion(dir.file("sluice.yaml"));
  EXPECT_EQ(read_file(dir.file("out.txt")), "kept 1\nkept 2\nnew 1\n");
  EXPECT_EQ(log.find(kRepairWarning), std::string::npos) << log;
}

// kill -9 again and again while the sink writes large batches, then a run to
// the end: the output is valid JSON lines and holds every input line at
// least once. Before the repair, a restart appended onto the torn line.
TEST(FileSinkCrash, KillNineAtAnyMomentLeavesValidJsonLines) {
  TempDir dir;
  const size_t kLines = 10000;  // about 2 MB
  const int kKills = 5;
  write_file(dir.file("in.jsonl"), numbered_json_lines(kLines));
  // A frequent checkpoint makes each run progress; 1 MiB batches make
  // writes long, so a kill often lands inside one.
  write_file(dir.file("sluice.yaml"),
             pipeline_yaml(dir, dir.file("in.jsonl"), dir.file("out.jsonl"),
                           ", checkpoint_interval_ms: 20",
                           ", batch_bytes: 1048576, flush_interval_ms: 50"));
  auto loop = kill_while_writing([&] { return SluiceProcess::run(dir.file("sluice.yaml")); },
                                 dir.file("out.jsonl"), kKills, 192 * 1024);
  ASSERT_EQ(loop.failure, "");
  std::string log = loop.logs + run_to_completion(dir.file("sluice.yaml"));

  std::string output = read_file(dir.file("out.jsonl"));
  ASSERT_FALSE(output.empty());
  EXPECT_EQ(output.back(), '\n');
  auto check =
      check_numbered_json_lines(dir.file("out.jsonl"), kLines, [](const boost::json::value& line) {
        return line.as_object().at("data").as_object().at("n").to_number<int64_t>();
      });
  EXPECT_EQ(check.failure, "");
  size_t repairs = occurrences(log, kRepairWarning);
  std::cout << "[ measured ] " << kKills << " kills: " << repairs
            << " torn last lines cut at restart; " << check.lines << " lines for " << kLines
            << " inputs (" << check.duplicates << " duplicates)\n";
  RecordProperty("repairs", static_cast<int>(repairs));
}

}  // namespace
}  // namespace sluice::test::file
