// The consumer side of the plugin, driven through the C ABI by the test
// host: what a message carries, commits that never pass an unfinished
// message, redelivery of refused messages, dead letters, backpressure.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "kafka_fixture.hpp"
#include "plugin_host.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::kafka {
namespace {

using namespace std::chrono_literals;

void start(PluginHost& host, const std::string& config) {
  ASSERT_EQ(host.create(config), "");
  ASSERT_EQ(host.start(), "");
}

std::vector<Record> numbered(int count, int32_t partition = RD_KAFKA_PARTITION_UA) {
  std::vector<Record> out;
  for (int i = 0; i < count; ++i) {
    Record r;
    r.payload = "message-" + std::to_string(i);
    r.key = "key-" + std::to_string(i % 7);
    r.partition = partition;
    out.push_back(r);
  }
  return out;
}

// The committed offset of partition 0 as an optional, for wait_until.
std::optional<int64_t> committed0(KafkaClient& client, const std::string& group,
                                  const std::string& topic) {
  auto c = client.committed(group, topic);
  auto it = c.find(0);
  return it == c.end() ? std::nullopt : std::optional<int64_t>(it->second);
}

TEST(KafkaConsumer, HandsOverKeyHeadersTimestampTopicPartitionAndOffset) {
  KafkaClient client(shared_brokers());
  const std::string topic = unique_name("carry");
  const std::string group = unique_name("g");
  Record r;
  r.payload = R"({"DEVICE_ID": "truck-7", "ENGINE_STATUS": "ON"})";
  r.key = "truck-7";
  r.headers = {{"trace-id", "abc123"}, {"content-type", "application/json"}};
  r.timestamp_ms = 1700000000123;
  client.produce(topic, {r});

  PluginHost host;
  start(host, connector_config(shared_brokers(),
                               {{"topics", boost::json::array{topic}}, {"group", group}}));
  auto m = host.next(30s);
  ASSERT_TRUE(m) << "no message within 30 s";
  EXPECT_EQ(m->payload, r.payload);
  EXPECT_EQ(m->key, "truck-7");
  EXPECT_EQ(m->subject, topic);
  EXPECT_EQ(m->header("trace-id"), "abc123");
  EXPECT_EQ(m->header("content-type"), "application/json");
  EXPECT_EQ(m->timestamp_ms, 1700000000123);
  EXPECT_EQ(m->offset(), 0);
  const int32_t partition = m->partition();
  host.ack(m->ack_id);
  EXPECT_TRUE(wait_until([&] { return client.committed(group, topic)[partition] == 1; }, 20s));
  EXPECT_EQ(host.metric("consumed_total"), 1);
}

TEST(KafkaConsumer, CommitsNeverPassAnUnfinishedMessage) {
  MockCluster cluster(1);
  const std::string topic = unique_name("order");
  const std::string group = unique_name("g");
  cluster.create_topic(topic, 1);
  KafkaClient client(cluster.bootstraps());
  client.produce(topic, numbered(10, 0));

  PluginHost host;
  start(host, connector_config(cluster.bootstraps(),
                               {{"topics", boost::json::array{topic}}, {"group", group}}));
  auto got = host.take(10, 30s);
  ASSERT_EQ(got.size(), 10u);
  // Answers come back out of order, and offset 3 not at all (a slow output).
  for (int i = 9; i >= 0; --i)
    if (got[i].offset() != 3) host.ack(got[i].ack_id);
  ASSERT_TRUE(wait_until([&] { return committed0(client, group, topic) == 3; }, 20s))
      << "committed: " << committed0(client, group, topic).value_or(-1);
  // It stays there while offset 3 is unfinished.
  EXPECT_FALSE(wait_until([&] { return committed0(client, group, topic) != 3; }, 1500ms));
  host.ack(got[3].ack_id);
  EXPECT_TRUE(wait_until([&] { return committed0(client, group, topic) == 10; }, 20s));
}

TEST(KafkaConsumer, ReadsARefusedMessageAgainAndOnlyThatOne) {
  MockCluster cluster(1);
  const std::string topic = unique_name("nack");
  const std::string group = unique_name("g");
  cluster.create_topic(topic, 1);
  KafkaClient client(cluster.bootstraps());
  client.produce(topic, numbered(5, 0));

  PluginHost host;
  start(host, connector_config(cluster.bootstraps(),
                               {{"topics", boost::json::array{topic}}, {"group", group}}));
  auto got = host.take(5, 30s);
  ASSERT_EQ(got.size(), 5u);
  for (const auto& m : got)
    host.ack(m.ack_id, m.offset() == 2 ? SLUICE_OUTCOME_NACK : SLUICE_OUTCOME_ACK);

  auto again = host.next(20s);
  ASSERT_TRUE(again) << "the refused message was not read again";
  EXPECT_EQ(again->offset(), 2);
  EXPECT_EQ(again->payload, "message-2");
  EXPECT_FALSE(host.next(1s)) << "only the refused message comes again";
  EXPECT_EQ(committed0(client, group, topic).value_or(-1) <= 2, true);
  host.ack(again->ack_id);
  EXPECT_TRUE(wait_until([&] { return committed0(client, group, topic) == 5; }, 20s));
  EXPECT_EQ(host.metric("redelivered_total"), 1);
}

TEST(KafkaConsumer, SendsARefusedMessageToTheDeadLetterTopicAndMovesOn) {
  MockCluster cluster(1);
  const std::string topic = unique_name("poison");
  const std::string dead = unique_name("dlq");
  const std::string group = unique_name("g");
  cluster.create_topic(topic, 1);
  KafkaClient client(cluster.bootstraps());
  Record poison;
  poison.payload = "{not json";
  poison.key = "k";
  poison.headers = {{"origin", "sensor-9"}};
  client.produce(topic, {Record{"ok-0"}, poison, Record{"ok-2"}});

  PluginHost host;
  start(host, connector_config(cluster.bootstraps(), {{"topics", boost::json::array{topic}},
                                                      {"group", group},
                                                      {"dead_letter_topic", dead}}));
  auto got = host.take(3, 30s);
  ASSERT_EQ(got.size(), 3u);
  for (const auto& m : got)
    host.ack(m.ack_id, m.offset() == 1 ? SLUICE_OUTCOME_NACK : SLUICE_OUTCOME_ACK);

  auto dlq = client.read(dead, 1, 30s);
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(dlq[0].payload, "{not json");
  EXPECT_EQ(dlq[0].key, "k");
  EXPECT_EQ(dlq[0].header("origin"), "sensor-9");
  EXPECT_TRUE(dlq[0].header("sluice-error"));
  EXPECT_EQ(dlq[0].header("sluice-source-topic"), topic);
  EXPECT_EQ(dlq[0].header("sluice-source-offset"), "1");
  EXPECT_TRUE(wait_until([&] { return committed0(client, group, topic) == 3; }, 20s));
  EXPECT_FALSE(host.next(500ms)) << "a dead-lettered message is not handed over again";
  EXPECT_EQ(host.metric("dead_lettered_total"), 1);
}

TEST(KafkaConsumer, PausesWhileTheHostIsFullAndLosesNothing) {
  const std::string brokers = shared_brokers();
  KafkaClient client(brokers);
  const std::string topic = unique_name("pressure");
  const std::string group = unique_name("g");
  const int total = 400;
  client.produce(topic, numbered(total));

  PluginHost host;
  host.set_capacity(5);
  start(host, connector_config(brokers, {{"topics", boost::json::array{topic}}, {"group", group}}));
  ASSERT_TRUE(wait_until([&] { return host.metric("backpressure_pauses_total") > 0; }, 30s))
      << "the consumer never paused although the host was full";
  EXPECT_EQ(host.emitted_total(), 5u);

  std::set<std::pair<int32_t, int64_t>> seen;
  std::map<int32_t, int64_t> last_offset;
  while (seen.size() < static_cast<size_t>(total)) {
    auto m = host.next(30s);
    ASSERT_TRUE(m) << "stalled after " << seen.size() << " messages";
    EXPECT_TRUE(seen.insert({m->partition(), m->offset()}).second)
        << "duplicate " << m->partition() << "/" << m->offset();
    auto [it, fresh] = last_offset.emplace(m->partition(), m->offset());
    if (!fresh) {
      EXPECT_GT(m->offset(), it->second) << "order broken in partition " << m->partition();
      it->second = m->offset();
    }
    host.ack(m->ack_id);
  }
  EXPECT_FALSE(host.next(500ms));
  EXPECT_TRUE(wait_until(
      [&] {
        auto c = client.committed(group, topic);
        int64_t sum = 0;
        for (const auto& [p, o] : c) sum += o;
        return sum == total;
      },
      20s));
  EXPECT_TRUE(wait_until([&] { return host.metric("paused_partitions") == 0; }, 5s));
}

TEST(KafkaConsumer, EmitsNothingAfterStopAndCommitsWhatWasDoneOnDestroy) {
  const std::string brokers = shared_brokers();
  KafkaClient client(brokers);
  const std::string topic = unique_name("stop");
  const std::string group = unique_name("g");
  client.produce(topic, numbered(10, 0));

  PluginHost host;
  start(host, connector_config(brokers, {{"topics", boost::json::array{topic}},
                                         {"group", group},
                                         {"commit_interval_ms", 60000}}));
  auto got = host.take(10, 30s);
  ASSERT_EQ(got.size(), 10u);
  host.stop();
  client.produce(topic, numbered(5, 0));
  EXPECT_FALSE(host.next(1500ms)) << "a message was emitted after stop()";
  for (const auto& m : got) host.ack(m.ack_id);
  host.destroy();  // the final commit happens here, not on the 60 s timer
  EXPECT_EQ(client.committed(group, topic)[0], 10);
}

TEST(KafkaConsumer, FollowsTopicsNamedByRoutesAndRegexes) {
  const std::string brokers = shared_brokers();
  KafkaClient client(brokers);
  const std::string prefix = unique_name("fam");
  client.produce(prefix + ".a", {Record{"from-a"}});
  client.produce(prefix + ".b", {Record{"from-b"}});
  client.produce(prefix + "-c", {Record{"from-c"}});

  PluginHost host;
  ASSERT_EQ(host.create(
                connector_config(brokers, {{"group", unique_name("g")},
                                           {"topics", boost::json::array{"^" + prefix + "-.*"}}})),
            "");
  ASSERT_EQ(host.subscribe(prefix + ".*"), "");  // a route's `from: kafka:<prefix>.*`
  ASSERT_EQ(host.start(), "");
  std::set<std::string> payloads;
  for (const auto& m : host.take(3, 30s)) {
    payloads.insert(m.payload);
    host.ack(m.ack_id);
  }
  EXPECT_EQ(payloads, (std::set<std::string>{"from-a", "from-b", "from-c"}));
}

TEST(KafkaConsumer, RefusesToStartWithoutTopicsWhenRoutesReadFromIt) {
  PluginHost host;
  ASSERT_EQ(host.create(connector_config("127.0.0.1:1", {})), "");
  ASSERT_EQ(host.subscribe(">"), "");
  EXPECT_NE(host.start().find("has no topics"), std::string::npos);
}

}  // namespace
}  // namespace sluice::test::kafka
