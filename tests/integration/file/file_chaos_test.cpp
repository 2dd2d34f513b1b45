// The crash harness on file -> file: sluice killed with SIGKILL at random
// moments while it copies 20,000 JSON lines, restarted each time (the source
// resumes from its checkpoint, the sink cuts a torn last line), then left to
// finish. At-least-once: nothing lost, nothing corrupt; duplicates counted.
#include <gtest/gtest.h>

#include "pipeline_config.hpp"
#include "support/chaos.hpp"
#include "support/numbered_json_lines.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::file {
namespace {

TEST(Chaos, FileToFile_KilledAtRandom_NothingLostOrCorrupt) {
  TempDir dir;
  const size_t kInputs = 20000;
  write_file(dir.file("in.jsonl"), numbered_json_lines(kInputs));
  write_file(
      dir.file("sluice.yaml"),
      pipeline_yaml(dir, dir.file("in.jsonl"), dir.file("out.jsonl"),
                    ", checkpoint_interval_ms: 20", ", batch_bytes: 65536, flush_interval_ms: 20"));
  const std::string out = dir.file("out.jsonl");
  ChaosScenario scenario{
      "file -> file",
      kInputs,
      [&] { return Process(SluiceProcess::run(dir.file("sluice.yaml"))); },
      [&] { return count_lines(out); },
      [&] { return read_lines(out); },
      numbered_payload,
  };
  expect_at_least_once(run_chaos(scenario, ChaosSettings::from_env(5)));
}

}  // namespace
}  // namespace sluice::test::file
