// The MQTT settings: what `sluice check` accepts and refuses (without
// connecting), the defaults, and `${node_id}`/`${connector}` expansion.
#include <gtest/gtest.h>

#include "mqtt_settings.hpp"

namespace sluice::mqtt {
namespace {

std::vector<std::string> problems(const std::string& json) {
  auto errors = settings_spec().validate(json);
  if (errors.empty()) validate_settings(settings_spec().parse(json), errors);
  return errors;
}

std::string joined(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += e + "\n";
  return out;
}

bool mentions(const std::vector<std::string>& errors, const std::string& text) {
  for (const auto& e : errors)
    if (e.find(text) != std::string::npos) return true;
  return false;
}

TEST(MqttSettings, DefaultsAreValidAndSafe) {
  ASSERT_TRUE(problems("{}").empty()) << joined(problems("{}"));
  MqttSettings s = settings_spec().parse("{}").resolved("n1", "telemetry");
  EXPECT_EQ(s.urls, std::vector<std::string>{"tcp://127.0.0.1:1883"});
  EXPECT_EQ(s.client_id, "sluice-n1-telemetry");
  EXPECT_EQ(s.protocol, Protocol::kV5);
  EXPECT_FALSE(s.clean_session);  // persistent session: QoS 1/2 kept while away
  EXPECT_EQ(s.qos, 1);
  EXPECT_EQ(s.max_buffered, 100);
  EXPECT_EQ(s.buffer_overflow, BufferOverflow::kDropOldest);
  EXPECT_EQ(s.response_topic, "sluice/n1/telemetry/replies");
  EXPECT_FALSE(s.tls.enabled);
}

TEST(MqttSettings, NodeIdExpandsInClientIdTopicsAndWill) {
  std::string json = R"({
    "client_id": "agent-${node_id}", "will_topic": "status/${node_id}",
    "birth_topic": "status/${node_id}", "topic": "out/${node_id}",
    "subscriptions": ["cmd/${node_id}/#", {"topic": "$share/g/jobs/+", "qos": 2}]
  })";
  ASSERT_TRUE(problems(json).empty()) << joined(problems(json));
  MqttSettings s = settings_spec().parse(json).resolved("edge-7", "bus");
  EXPECT_EQ(s.client_id, "agent-edge-7");
  EXPECT_EQ(s.will_topic, "status/edge-7");
  EXPECT_EQ(s.will_payload, "offline");
  EXPECT_EQ(s.birth_topic, "status/edge-7");
  EXPECT_EQ(s.topic, "out/edge-7");
  ASSERT_EQ(s.subscriptions.size(), 2u);
  EXPECT_EQ(s.subscriptions[0].topic, "cmd/edge-7/#");
  EXPECT_EQ(s.subscriptions[0].qos, 1);
  EXPECT_EQ(s.subscriptions[1].topic, "$share/g/jobs/+");
  EXPECT_EQ(s.subscriptions[1].qos, 2);
}

TEST(MqttSettings, TlsImpliedBySslUrl) {
  MqttSettings s =
      settings_spec().parse(R"({"url": ["tcp://a:1883", "ssl://b:8883"]})").resolved("n", "c");
  EXPECT_TRUE(s.tls.enabled);
  EXPECT_TRUE(s.tls.verify);
}

TEST(MqttSettings, RefusesBadUrls) {
  auto e = problems(R"({"url": "localhost:1883"})");
  EXPECT_TRUE(mentions(e, "setting 'url': 'localhost:1883' has no scheme")) << joined(e);
  e = problems(R"({"url": "http://h:1"})");
  EXPECT_TRUE(mentions(e, "unknown scheme")) << joined(e);
  e = problems(R"({"url": "tcp://h:99999"})");
  EXPECT_TRUE(mentions(e, "port must be a number from 1 to 65535")) << joined(e);
  e = problems(R"({"url": "tcp://:1883"})");
  EXPECT_TRUE(mentions(e, "names no host")) << joined(e);
  e = problems(R"({"url": []})");
  EXPECT_TRUE(mentions(e, "at least one broker")) << joined(e);
}

TEST(MqttSettings, RefusesBadFiltersAndTopics) {
  auto e = problems(R"({"subscriptions": ["a/#/b"]})");
  EXPECT_TRUE(mentions(e, "subscriptions[0]': topic filter 'a/#/b': `#` must be the last level"))
      << joined(e);
  e = problems(R"({"subscriptions": ["a/b+"]})");
  EXPECT_TRUE(mentions(e, "must fill a whole level")) << joined(e);
  e = problems(R"({"subscriptions": [{"topic": "a", "qos": 3}]})");
  EXPECT_TRUE(mentions(e, "subscriptions[0]: ")) << joined(e);
  e = problems(R"({"subscriptions": ["$share/g"]})");
  EXPECT_TRUE(mentions(e, "$share/<group>/<filter>")) << joined(e);
  e = problems(R"({"protocol": "3.1.1", "subscriptions": ["$share/g/a"]})");
  EXPECT_TRUE(mentions(e, "shared subscriptions need `protocol: \"5\"`")) << joined(e);
  e = problems(R"({"will_topic": "status/+"})");
  EXPECT_TRUE(mentions(e, "setting 'will_topic': topic 'status/+' has a wildcard")) << joined(e);
  e = problems(R"({"subscriptions": [42]})");
  EXPECT_TRUE(mentions(e, "subscriptions[0]' must be a topic filter or a mapping")) << joined(e);
}

TEST(MqttSettings, RefusesBadValues) {
  auto e = problems(R"({"qos": 3})");
  EXPECT_FALSE(e.empty());
  EXPECT_TRUE(mentions(e, "qos")) << joined(e);
  e = problems(R"({"protocol": "4"})");
  EXPECT_TRUE(mentions(e, "protocol")) << joined(e);
  e = problems(R"({"buffer_overflow": "block"})");
  EXPECT_TRUE(mentions(e, "buffer_overflow")) << joined(e);
  e = problems(R"({"max_buffered": -1})");
  EXPECT_TRUE(mentions(e, "max_buffered")) << joined(e);
  e = problems(R"({"keep_alive": 1, "accept_wait_ms": 2000})");
  EXPECT_TRUE(mentions(e, "'accept_wait_ms' must be shorter than 'keep_alive'")) << joined(e);
  e = problems(R"({"reconnect_wait_ms": 500, "reconnect_wait_max_ms": 100})");
  EXPECT_TRUE(mentions(e, "reconnect_wait_max_ms")) << joined(e);
  e = problems(R"({"client_id": ""})");
  EXPECT_TRUE(mentions(e, "client_id")) << joined(e);
}

TEST(MqttSettings, TlsFilesMustExistAndPair) {
  auto e = problems(R"({"tls": {"ca": "/nonexistent/ca.pem", "cert": "/etc/hostname"}})");
  EXPECT_TRUE(mentions(e, "setting 'tls.ca': file '/nonexistent/ca.pem' does not exist"))
      << joined(e);
  EXPECT_TRUE(mentions(e, "'tls.cert' and 'tls.key' go together")) << joined(e);
  e = problems(R"({"tls": {"verfy": false}})");
  EXPECT_TRUE(mentions(e, "tls: ")) << joined(e);
}

TEST(MqttFilters, Coverage) {
  EXPECT_TRUE(filter_covered_by("a/b", "a/#"));
  EXPECT_TRUE(filter_covered_by("a/+/c", "a/#"));
  EXPECT_TRUE(filter_covered_by("a/b/c", "a/+/c"));
  EXPECT_TRUE(filter_covered_by("a/b", "$share/g/a/+"));
  EXPECT_TRUE(filter_covered_by("a", "#"));
  EXPECT_FALSE(filter_covered_by("$SYS/x", "#"));
  EXPECT_FALSE(filter_covered_by("a/#", "a/+"));
  EXPECT_FALSE(filter_covered_by("a/b/c", "a/b"));
  EXPECT_FALSE(filter_covered_by("a/b", "a/b/c"));
  EXPECT_FALSE(filter_covered_by("x/b", "a/+"));
}

TEST(MqttFilters, Problems) {
  EXPECT_EQ(filter_problem("sensors/+/temp"), "");
  EXPECT_EQ(filter_problem("#"), "");
  EXPECT_EQ(filter_problem("$share/g/a/#"), "");
  EXPECT_NE(filter_problem(""), "");
  EXPECT_NE(filter_problem("a/#/b"), "");
  EXPECT_NE(filter_problem("$share/g+/a"), "");
  EXPECT_EQ(topic_problem("a/b"), "");
  EXPECT_NE(topic_problem("a/#"), "");
  EXPECT_NE(topic_problem(""), "");
}

TEST(MqttSettings, ExpandNames) {
  EXPECT_EQ(expand_names("a-${node_id}-${connector}-${x}", "n", "c"), "a-n-c-${x}");
}

}  // namespace
}  // namespace sluice::mqtt
