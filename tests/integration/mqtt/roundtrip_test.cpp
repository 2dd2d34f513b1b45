// Messages through `sluice run` between mosquitto clients: QoS 0/1/2 round
// trips, `+`/`#` routing, retained messages in and out, MQTT over WebSocket.
#include <gtest/gtest.h>

#include <set>

#include "fixture.hpp"

namespace sluice::test::mqtt {
namespace {

class MqttRoundTrip : public ::testing::Test {
 protected:
  TempDir dir_;
  HostPort broker_ = shared_broker();
  std::string root_ = unique_root("rt");
};

TEST_F(MqttRoundTrip, EachQosArrivesOnceInOrderAndKeepsItsQos) {
  auto sluice = start_with_config(dir_, config_header("rt") + "connectors:\n" +
                                            connector_yaml("m", broker_, "    qos: 2\n") +
                                            "routes:\n" + "  - from: \"m:" + root_ + "/in/#\"\n" +
                                            "    to: \"m:" + root_ + "/out\"\n");
  expect_logged(sluice, "MQTT connector ready", 1, std::chrono::seconds(20));
  Subscriber sub(broker_, {root_ + "/out"}, 2);
  sub.wait_subscribed();
  for (int qos = 0; qos <= 2; ++qos)
    publish_lines(broker_, root_ + "/in/q" + std::to_string(qos),
                  numbered("q" + std::to_string(qos) + "-", 20), qos);
  auto got = sub.wait_for(60, std::chrono::seconds(20));
  ASSERT_EQ(got.size(), 60u) << sub.output() << sluice.output();
  std::map<int, std::vector<std::string>> by_qos;
  for (const auto& r : got) by_qos[r.qos].push_back(r.payload);
  for (int qos = 0; qos <= 2; ++qos)  // mqtt-qos header: republished at the QoS it came with
    EXPECT_EQ(by_qos[qos], numbered("q" + std::to_string(qos) + "-", 20)) << "QoS " << qos;
}

TEST_F(MqttRoundTrip, PlusAndHashWildcardsRoute) {
  auto sluice = start_with_config(
      dir_, config_header("wild") + "connectors:\n" + connector_yaml("m", broker_) + "routes:\n" +
                "  - from: \"m:" + root_ + "/a/+/temp\"\n" + "    to: \"m:" + root_ +
                "/out/plus\"\n" + "  - from: \"m:" + root_ + "/b/#\"\n" + "    to: \"m:" + root_ +
                "/out/hash\"\n");
  expect_logged(sluice, "MQTT connector ready", 1, std::chrono::seconds(20));
  Subscriber sub(broker_, {root_ + "/out/#"}, 1);
  sub.wait_subscribed();
  publish(broker_, root_ + "/a/x/temp", "plus-yes", 1);
  publish(broker_, root_ + "/a/x/y/temp", "plus-no", 1);
  publish(broker_, root_ + "/b", "hash-parent", 1);
  publish(broker_, root_ + "/b/c/d", "hash-deep", 1);
  publish(broker_, root_ + "/c/x", "none", 1);
  // Last, through `#`: once it is here, everything before it was routed or not.
  publish(broker_, root_ + "/b/end", "marker", 1);
  auto got = sub.wait_for(4, std::chrono::seconds(15));
  std::multiset<std::string> seen;
  for (const auto& r : got) seen.insert(r.topic + "=" + r.payload);
  EXPECT_EQ(seen, (std::multiset<std::string>{
                      root_ + "/out/plus=plus-yes", root_ + "/out/hash=hash-parent",
                      root_ + "/out/hash=hash-deep", root_ + "/out/hash=marker"}))
      << sub.output();
}

TEST_F(MqttRoundTrip, RetainedMessagesAreReceivedAndPublishedRetained) {
  publish(broker_, root_ + "/ret", "kept-before", 1, {"-r"});
  auto sluice = start_with_config(
      dir_, config_header("ret") + "connectors:\n" + connector_yaml("m", broker_) +
                connector_yaml("r", broker_, "    retain: true\n    client_id: r-${node_id}\n") +
                "routes:\n" + "  - from: \"m:" + root_ + "/ret\"\n" + "    to: \"r:" + root_ +
                "/kept\"\n");
  expect_logged(sluice, "MQTT connector ready", 2, std::chrono::seconds(20));
  // Subscribed after sluice published: only a retained message gets here.
  Subscriber first(broker_, {root_ + "/kept"}, 1);
  auto got = first.wait_for(1, std::chrono::seconds(15));
  ASSERT_EQ(got.size(), 1u) << first.output() << sluice.output();
  EXPECT_EQ(got[0].payload, "kept-before");
  EXPECT_TRUE(got[0].retained);
  publish(broker_, root_ + "/ret", "", 1, {"-r"});  // clear the retained messages
  publish(broker_, root_ + "/kept", "", 1, {"-r"});
}

// sluice talks to the broker through its websockets listener only; the
// independent clients use the plain listener of the same mosquitto.
TEST(MqttWebSocket, WsUrlRoundTripsInOrderInBothDirections) {
  TempDir dir;
  PrivateBroker broker({.websockets = true});
  broker.start();
  std::string root = unique_root("ws");
  HostPort ws = broker.websockets();
  std::string url = "ws://" + ws.host + ":" + std::to_string(ws.port);
  auto sluice = start_with_config(
      dir, config_header("ws") + "connectors:\n  m:\n    plugin: mqtt\n" + "    url: " + url +
               "\n" + "routes:\n  - from: \"m:" + root + "/in\"\n    to: \"m:" + root + "/out\"\n");
  expect_logged(sluice, "connected to " + url + ", 2/2 subscriptions active", 1,
                std::chrono::seconds(20));
  Subscriber out(broker.plain(), {root + "/out"}, 1);
  out.wait_subscribed();
  publish_lines(broker.plain(), root + "/in", numbered("ws-", 50), 1);
  auto got = out.wait_for(50, std::chrono::seconds(20));
  EXPECT_EQ(payloads_of(got), numbered("ws-", 50)) << sluice.output();
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

}  // namespace
}  // namespace sluice::test::mqtt
