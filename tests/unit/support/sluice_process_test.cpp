// The test support library's sluice launchers against the built binary.
#include "gtest/gtest.h"
#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

TEST(SluiceProcess, RunSluiceReportsExitCodeAndOutput) {
  std::string output;
  ASSERT_EQ(run_sluice({"version"}, &output), 0) << output;
  EXPECT_EQ(output.rfind("sluice ", 0), 0u) << output;
}

TEST(SluiceProcess, PassesThePluginPathFromTheBuild) {
  // Runs `sh` in place of sluice to see the environment a sluice child gets.
  Process p({"sh", "-c", "echo \"$SLUICE_PLUGIN_PATH\""}, sluice_env({{"EXTRA", "1"}}));
  ASSERT_EQ(p.wait(10s), 0);
  EXPECT_EQ(p.output(), plugin_dir() + ":" + test_plugin_dir() + "\n");
}

TEST(SluiceProcess, RunFailsClearlyOnAMissingConfig) {
  TempDir dir;
  SluiceProcess sluice = SluiceProcess::run(dir.file("missing.yaml"));
  std::optional<int> status = sluice.wait(30s);
  ASSERT_TRUE(status.has_value()) << sluice.output();
  EXPECT_NE(*status, 0);
  EXPECT_NE(sluice.output().find("missing.yaml"), std::string::npos) << sluice.output();
}

}  // namespace
}  // namespace sluice::test
