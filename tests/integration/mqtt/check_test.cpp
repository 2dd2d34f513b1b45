// `sluice check` on MQTT settings: every problem located (file:line:col,
// connector, setting) without connecting anywhere.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::mqtt {
namespace {

std::string check(const TempDir& dir, const std::string& yaml) {
  write_file(dir.file("bad.yaml"), yaml);
  std::string output;
  EXPECT_NE(run_sluice({"check", "-c", dir.file("bad.yaml")}, &output), 0) << output;
  return output;
}

TEST(MqttCheck, BadSettingsAreLocated) {
  TempDir dir;
  std::string out = check(dir,
                          "connectors:\n"
                          "  m:\n"
                          "    plugin: mqtt\n"
                          "    url: broker:1883\n");
  EXPECT_NE(out.find("bad.yaml:2:3: connector 'm' (mqtt): setting 'url': 'broker:1883' has no "
                     "scheme"),
            std::string::npos)
      << out;
  out = check(dir,
              "connectors:\n"
              "  m:\n"
              "    plugin: mqtt\n"
              "    qos: 3\n");
  EXPECT_NE(out.find("bad.yaml:2:3: connector 'm' (mqtt): setting 'qos' must be <= 2"),
            std::string::npos)
      << out;
}

TEST(MqttCheck, FilterAndVersionProblems) {
  TempDir dir;
  std::string out = check(dir,
                          "connectors:\n"
                          "  m:\n"
                          "    plugin: mqtt\n"
                          "    protocol: \"3.1.1\"\n"
                          "    subscriptions: [\"a/#/b\", \"$share/g/x\"]\n"
                          "    will_topic: \"status/+\"\n");
  EXPECT_NE(out.find("subscriptions[0]': topic filter 'a/#/b': `#` must be the last level"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("shared subscriptions need `protocol: \"5\"`"), std::string::npos) << out;
  EXPECT_NE(out.find("setting 'will_topic': topic 'status/+' has a wildcard"), std::string::npos)
      << out;
}

TEST(MqttCheck, RoutePatternInAnotherBrokersSyntaxIsRefused) {
  TempDir dir;
  std::string out = check(dir,
                          "connectors:\n"
                          "  m:\n"
                          "    plugin: mqtt\n"
                          "routes:\n"
                          "  - from: \"m:sensors.>\"\n"
                          "    to: m\n");
  EXPECT_NE(out.find("bad.yaml:5:"), std::string::npos) << out;
}

TEST(MqttCheck, GoodConfigPasses) {
  TempDir dir;
  write_file(dir.file("good.yaml"),
             "connectors:\n  m:\n    plugin: mqtt\n    url: [tcp://a:1883, ssl://b:8883]\n"
             "    subscriptions: [{topic: \"$share/g/s/+/t\", qos: 2}]\n"
             "routes:\n  - from: \"m:s/+/t\"\n    to: \"m:out/${node_id}\"\n");
  std::string output;
  EXPECT_EQ(run_sluice({"check", "-c", dir.file("good.yaml")}, &output), 0) << output;
}

}  // namespace
}  // namespace sluice::test::mqtt
