// The null sink through the real `sluice` binary: it completes and counts
// every message, so a finite source finishes and the totals add up.
#include <gtest/gtest.h>

#include "null_settings.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

TEST(NullSink, CompletesAndCountsEveryMessage) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"),
             "workers: 2\n"
             "admin: { enabled: false }\n"
             "state_dir: " +
                 dir.file("state") +
                 "\n"
                 "connectors:\n"
                 "  gen: { plugin: generate, count: 50000, payload: \"0123456789\" }\n"
                 "  sink: { plugin: \"null\" }\n"
                 "routes:\n"
                 "  - from: gen\n"
                 "    to: sink\n");
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"});
  auto status = sluice.wait(120s);
  ASSERT_TRUE(status.has_value()) << sluice.output();
  ASSERT_EQ(*status, 0) << sluice.output();
  EXPECT_NE(sluice.output().find("null sink final: 50000 messages, 500000 bytes"),
            std::string::npos)
      << sluice.output();
}

TEST(NullReadme, ContainsTheGeneratedSettingsTable) {
  std::string readme = read_file(source_dir() + "/plugins/null/README.md");
  EXPECT_NE(readme.find(null_sink::null_settings().markdown_table()), std::string::npos)
      << null_sink::null_settings().markdown_table();
}

}  // namespace
}  // namespace sluice::test
