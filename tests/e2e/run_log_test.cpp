// What `sluice run` logs about its own life: only what happened, so that an
// operator reading it is not misled.
#include <gtest/gtest.h>

#include <chrono>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

TEST(RunLog, SinkOnlyConnector_IsNotReportedAsAFinishedSource) {
  TempDir dir;
  // stdio can read stdin, but here nothing reads from it: it is a sink.
  write_file(dir.file("sluice.yaml"), R"(node_id: log-test
workers: 1
admin: { enabled: false }
connectors:
  gen: { plugin: generate, count: 3 }
  out: { plugin: stdio, mode: sink }
routes:
  - from: gen
    to: out
)");
  ProcessOptions options;
  options.split_stderr = true;
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"}, {}, options);
  auto status = sluice.wait(30s);
  ASSERT_TRUE(status) << sluice.error_output();
  EXPECT_EQ(*status, 0) << sluice.error_output();
  std::string log = sluice.error_output();
  EXPECT_NE(log.find("[gen] source finished"), std::string::npos) << log;
  EXPECT_EQ(log.find("[out] source finished"), std::string::npos) << log;
}

TEST(RunLog, ConnectorThatCannotBeCreated_LogsTheErrorAlone) {
  TempDir dir;
  // The config parses; the plugin refuses the connector's settings.
  write_file(dir.file("sluice.yaml"), R"(node_id: log-test
workers: 1
admin: { enabled: false }
connectors:
  gen: { plugin: generate, count: -1 }
  out: { plugin: stdio, mode: sink }
routes:
  - from: gen
    to: out
)");
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));
  auto status = sluice.wait(30s);
  ASSERT_TRUE(status) << sluice.output();
  EXPECT_EQ(*status, 3) << sluice.output();  // invalid configuration
  std::string log = sluice.output();
  EXPECT_NE(log.find("connector 'gen' (generate)"), std::string::npos) << log;
  EXPECT_EQ(log.find("every accepted message was settled"), std::string::npos) << log;
}

}  // namespace
}  // namespace sluice::test
