// The sink side: completions follow Kafka's delivery reports, a full local
// queue is backpressure, the key defaults to the node id, every codec works.
#include <gtest/gtest.h>

#include <set>

#include "kafka_fixture.hpp"
#include "plugin_host.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::kafka {
namespace {

using namespace std::chrono_literals;

TEST(KafkaProducer, CompletesWhenKafkaHasTheMessage) {
  const std::string brokers = shared_brokers();
  const std::string topic = unique_name("sink");
  PluginHost host("kafka", "node-42");
  ASSERT_EQ(host.create(connector_config(brokers, {})), "");
  ASSERT_EQ(host.start(), "");

  Outgoing keyed{"payload-1", "device-1", topic, {{"trace-id", "t1"}}, 1700000000000};
  Outgoing unkeyed{"payload-2", std::nullopt, topic, {}, 0};
  uint64_t a = 0, b = 0;
  ASSERT_EQ(host.publish(keyed, &a), SLUICE_OK);
  ASSERT_EQ(host.publish(unkeyed, &b), SLUICE_OK);
  ASSERT_TRUE(host.wait_completions(30s));
  EXPECT_EQ(host.completion(a)->status, SLUICE_OK) << host.completion(a)->error;
  EXPECT_EQ(host.completion(b)->status, SLUICE_OK) << host.completion(b)->error;

  KafkaClient client(brokers);
  auto got = client.read(topic, 2, 30s);
  ASSERT_EQ(got.size(), 2u);
  for (const auto& m : got) {
    if (m.payload == "payload-1") {
      EXPECT_EQ(m.key, "device-1");
      EXPECT_EQ(m.header("trace-id"), "t1");
      EXPECT_EQ(m.timestamp_ms, 1700000000000);
    } else {
      EXPECT_EQ(m.key, "node-42") << "an unkeyed message takes the node id as key";
    }
  }
  EXPECT_EQ(host.metric("produced_total"), 2);
}

TEST(KafkaProducer, UsesTheDefaultTopicWhenTheRouteNamesNone) {
  const std::string brokers = shared_brokers();
  const std::string topic = unique_name("default");
  PluginHost host;
  ASSERT_EQ(host.create(connector_config(brokers, {{"default_topic", topic}})), "");
  ASSERT_EQ(host.start(), "");
  uint64_t id = 0;
  ASSERT_EQ(host.publish(Outgoing{"x", std::nullopt, "", {}, 0}, &id), SLUICE_OK);
  ASSERT_TRUE(host.wait_completions(30s));
  EXPECT_EQ(host.completion(id)->status, SLUICE_OK);
  KafkaClient client(brokers);
  EXPECT_EQ(client.read(topic, 1, 30s).size(), 1u);
}

TEST(KafkaProducer, RejectsAMessageWithNoTopicAtAll) {
  PluginHost host;
  ASSERT_EQ(host.create(connector_config(shared_brokers(), {})), "");
  ASSERT_EQ(host.start(), "");
  std::string error;
  EXPECT_EQ(host.publish(Outgoing{"x", std::nullopt, "", {}, 0}, nullptr, &error), SLUICE_REJECTED);
  EXPECT_NE(error.find("default_topic"), std::string::npos) << error;
}

TEST(KafkaProducer, WorksWithEveryCompressionCodec) {
  const std::string brokers = shared_brokers();
  KafkaClient client(brokers);
  for (std::string codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
    SCOPED_TRACE(codec);
    const std::string topic = unique_name("codec-" + codec);
    PluginHost host;
    ASSERT_EQ(host.create(connector_config(brokers, {{"compression", codec}, {"linger_ms", 20}})),
              "");
    ASSERT_EQ(host.start(), "");
    std::string payload(2000, 'a');
    for (int i = 0; i < 50; ++i) {
      payload[i] = static_cast<char>('A' + i % 26);
      ASSERT_EQ(host.publish(Outgoing{payload + std::to_string(i), "k", topic, {}, 0}, nullptr),
                SLUICE_OK);
    }
    ASSERT_TRUE(host.wait_completions(30s));
    auto got = client.read(topic, 50, 30s);
    ASSERT_EQ(got.size(), 50u);
    EXPECT_EQ(got[0].payload.size(), 2001u);
  }
}

TEST(KafkaProducer, ReportsBusyWhenItsQueueIsFullThenDeliversEverything) {
  MockCluster cluster(1);
  const std::string topic = unique_name("full");
  cluster.create_topic(topic, 1);
  PluginHost host;
  ASSERT_EQ(
      host.create(connector_config(cluster.bootstraps(), {{"queue_buffering_max_messages", 5}})),
      "");
  ASSERT_EQ(host.start(), "");
  cluster.all_down();
  int accepted = 0;
  sluice_status s = SLUICE_OK;
  for (int i = 0; i < 20 && s == SLUICE_OK; ++i) {
    s = host.publish(Outgoing{"m" + std::to_string(i), "k", topic, {}, 0}, nullptr);
    if (s == SLUICE_OK) ++accepted;
  }
  EXPECT_EQ(s, SLUICE_BUSY);
  EXPECT_EQ(accepted, 5);
  cluster.all_up();
  ASSERT_TRUE(host.wait_completions(60s));
  KafkaClient client(cluster.bootstraps());
  EXPECT_EQ(client.read(topic, 5, 30s).size(), 5u);
}

TEST(KafkaProducer, FlushWaitsForOutstandingDeliveries) {
  PluginHost host;
  ASSERT_EQ(host.create(connector_config(shared_brokers(), {{"linger_ms", 500}})), "");
  ASSERT_EQ(host.start(), "");
  const std::string topic = unique_name("flush");
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(host.publish(Outgoing{"m", "k", topic, {}, 0}, nullptr), SLUICE_OK);
  EXPECT_EQ(host.flush(30000), SLUICE_OK);
  EXPECT_EQ(host.pending_completions(), 0u);
}

}  // namespace
}  // namespace sluice::test::kafka
