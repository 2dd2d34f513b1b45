// The stdio sink writing to a file through `>>` across crashes, through the
// real `sluice` binary: a half-written last line is cut at start, and kill -9
// at any moment leaves valid JSON lines with every input line present.
#include <gtest/gtest.h>

#include "support/crash_loop.hpp"
#include "support/numbered_json_lines.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kRepairWarning = "stdout ended in an unterminated line";

// `from` -> stdio sink; `from_yaml` is the source connector's flow mapping.
std::string to_stdout_yaml(const TempDir& dir, const std::string& from_yaml,
                           const std::string& sink_extra = "") {
  return "workers: 1\n"
         "admin: { enabled: false }\n"
         "state_dir: " +
         dir.file("state") +
         "\n"
         "connectors:\n"
         "  in: " +
         from_yaml +
         "\n"
         "  out: { plugin: stdio, mode: sink" +
         sink_extra +
         " }\n"
         "routes:\n"
         "  - from: in\n"
         "    to: out\n";
}

// Runs sluice with stdin from `input` and stdout appended to `out` until it
// exits by itself; returns its log (stderr).
std::string run_appending(const TempDir& dir, const std::string& yaml, const std::string& input,
                          const std::string& out) {
  write_file(dir.file("sluice.yaml"), yaml);
  write_file(dir.file("stdin.txt"), input);
  ProcessOptions options;
  options.stdin_file = dir.file("stdin.txt");
  options.stdout_append_file = out;
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"}, {}, options);
  auto status = sluice.wait(120s);
  EXPECT_TRUE(status.has_value()) << "sluice did not exit in time:\n" << sluice.output();
  EXPECT_EQ(status.value_or(-1), 0) << sluice.output();
  return sluice.output();
}

TEST(StdoutCrash, StartCutsAnUnterminatedLastLineOfAnAppendedFile) {
  TempDir dir;
  const std::string torn = "{\"data\":{\"DEVICE_ID\":\"0848086398\",\"LATI";
  write_file(dir.file("out.txt"), "kept 1\n" + torn);
  std::string log = run_appending(dir, to_stdout_yaml(dir, "{ plugin: stdio, mode: source }"),
                                  "new 1\nnew 2\n", dir.file("out.txt"));
  EXPECT_EQ(read_file(dir.file("out.txt")), "kept 1\nnew 1\nnew 2\n");
  EXPECT_NE(log.find(kRepairWarning), std::string::npos) << log;
  EXPECT_NE(log.find("cut its last " + std::to_string(torn.size()) + " bytes"), std::string::npos)
      << log;
}

TEST(StdoutCrash, StartLeavesATerminatedAppendedFileUntouched) {
  TempDir dir;
  write_file(dir.file("out.txt"), "kept 1\n");
  std::string log = run_appending(dir, to_stdout_yaml(dir, "{ plugin: stdio, mode: source }"),
                                  "new 1\n", dir.file("out.txt"));
  EXPECT_EQ(read_file(dir.file("out.txt")), "kept 1\nnew 1\n");
  EXPECT_EQ(log.find(kRepairWarning), std::string::npos) << log;
}

// file source -> stdio sink with stdout appended to a file, killed -9 again
// and again, then run to the end: valid JSON lines, every input line present.
TEST(StdoutCrash, KillNineAtAnyMomentLeavesValidJsonLines) {
  TempDir dir;
  const size_t kLines = 10000;  // about 2 MB, about 2.6 MB as JSON lines
  const int kKills = 5;
  write_file(dir.file("in.jsonl"), numbered_json_lines(kLines));
  write_file(dir.file("sluice.yaml"),
             to_stdout_yaml(dir,
                            "{ plugin: file, mode: source, path: \"" + dir.file("in.jsonl") +
                                "\", checkpoint_interval_ms: 20 }",
                            ", format: json, batch_bytes: 1048576, flush_interval_ms: 50"));
  const std::string out = dir.file("out.jsonl");
  auto start = [&](bool to_the_end) {
    ProcessOptions options;
    options.stdout_append_file = out;
    std::vector<std::string> args;
    if (to_the_end) args.push_back("--exit-when-done");
    return SluiceProcess::run(dir.file("sluice.yaml"), args, {}, options);
  };
  auto loop = kill_while_writing([&] { return start(false); }, out, kKills, 192 * 1024);
  ASSERT_EQ(loop.failure, "");
  auto last = start(true);
  auto status = last.wait(120s);
  ASSERT_TRUE(status.has_value()) << last.output();
  ASSERT_EQ(*status, 0) << last.output();
  std::string log = loop.logs + last.output();

  std::string output = read_file(out);
  ASSERT_FALSE(output.empty());
  EXPECT_EQ(output.back(), '\n');
  auto check = check_numbered_json_lines(out, kLines, [](const boost::json::value& line) {
    const auto& payload = line.as_object().at("payload").as_object();
    return payload.at("data").as_object().at("n").to_number<int64_t>();
  });
  EXPECT_EQ(check.failure, "");
  size_t repairs = occurrences(log, kRepairWarning);
  std::cout << "[ measured ] " << kKills << " kills: " << repairs
            << " torn last lines cut at restart; " << check.lines << " lines for " << kLines
            << " inputs (" << check.duplicates << " duplicates)\n";
  RecordProperty("repairs", static_cast<int>(repairs));
}

}  // namespace
}  // namespace sluice::test
