// Failures on a private mock cluster: brokers going down and coming back,
// injected request errors, and a rebalance that takes partitions away while
// messages are unfinished. Nothing may be lost; health must say so and
// recover by itself.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "kafka_fixture.hpp"
#include "plugin_host.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::kafka {
namespace {

using namespace std::chrono_literals;

constexpr int16_t kProduceApi = 0;
constexpr int16_t kFetchApi = 1;

TEST(KafkaFailures, HealthFlipsWhenAllBrokersAreDownAndNothingIsLost) {
  MockCluster cluster(3);
  const std::string topic = unique_name("outage");
  cluster.create_topic(topic, 2);
  PluginHost host;
  ASSERT_EQ(
      host.create(connector_config(cluster.bootstraps(), {{"topics", boost::json::array{topic}},
                                                          {"group", unique_name("g")},
                                                          {"default_topic", topic}})),
      "");
  ASSERT_EQ(host.start(), "");
  ASSERT_TRUE(wait_until([&] { return host.metric("assigned_partitions") == 2; }, 30s));
  ASSERT_TRUE(host.health().first) << host.health().second;

  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(host.publish(Outgoing{"before-" + std::to_string(i), std::to_string(i), "", {}, 0},
                           nullptr),
              SLUICE_OK);
  ASSERT_TRUE(host.wait_completions(30s));

  cluster.all_down();
  // The group loses its coordinator first; then librdkafka reports every
  // broker down.
  ASSERT_TRUE(wait_until(
      [&] { return host.health().second.find("all brokers are down") != std::string::npos; }, 30s))
      << "health never said the brokers are down: " << host.health().second;
  EXPECT_FALSE(host.health().first);
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(host.publish(Outgoing{"during-" + std::to_string(i), std::to_string(i), "", {}, 0},
                           nullptr),
              SLUICE_OK);

  cluster.all_up();
  EXPECT_TRUE(wait_until([&] { return host.health().first; }, 60s))
      << "health did not recover: " << host.health().second;
  ASSERT_TRUE(host.wait_completions(60s));

  std::set<std::string> payloads;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (payloads.size() < 40 && std::chrono::steady_clock::now() < deadline) {
    auto m = host.next(1s);
    if (!m) continue;
    payloads.insert(m->payload);
    host.ack(m->ack_id);
  }
  EXPECT_EQ(payloads.size(), 40u) << "messages were lost across the outage";
}

TEST(KafkaFailures, RetriesInjectedProduceErrorsWithoutDuplicates) {
  MockCluster cluster(1);
  const std::string topic = unique_name("retry");
  cluster.create_topic(topic, 1);
  PluginHost host;
  ASSERT_EQ(host.create(connector_config(cluster.bootstraps(), {{"linger_ms", 0}})), "");
  ASSERT_EQ(host.start(), "");
  cluster.push_request_errors(
      kProduceApi,
      {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
       RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
       RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND});
  std::vector<uint64_t> ids;
  for (int i = 0; i < 50; ++i) {
    uint64_t id = 0;
    ASSERT_EQ(host.publish(Outgoing{"m-" + std::to_string(i), "k", topic, {}, 0}, &id), SLUICE_OK);
    ids.push_back(id);
  }
  ASSERT_TRUE(host.wait_completions(60s));
  for (uint64_t id : ids) EXPECT_EQ(host.completion(id)->status, SLUICE_OK);

  KafkaClient client(cluster.bootstraps());
  auto got = client.read(topic, 60, 5s);
  std::set<std::string> distinct;
  for (const auto& m : got) distinct.insert(m.payload);
  EXPECT_EQ(got.size(), 50u) << "duplicates or losses after retries";
  EXPECT_EQ(distinct.size(), 50u);
  for (size_t i = 1; i < got.size(); ++i) {
    // Idempotence keeps the order of one key.
    EXPECT_LT(std::stoi(got[i - 1].payload.substr(2)), std::stoi(got[i].payload.substr(2)));
  }
}

TEST(KafkaFailures, KeepsConsumingThroughInjectedFetchErrors) {
  MockCluster cluster(1);
  const std::string topic = unique_name("fetch");
  cluster.create_topic(topic, 1);
  KafkaClient client(cluster.bootstraps());
  std::vector<Record> records;
  for (int i = 0; i < 30; ++i) records.push_back(Record{"m-" + std::to_string(i)});
  client.produce(topic, records);
  cluster.push_request_errors(
      kFetchApi, {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                  RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
  PluginHost host;
  ASSERT_EQ(
      host.create(connector_config(cluster.bootstraps(), {{"topics", boost::json::array{topic}},
                                                          {"group", unique_name("g")}})),
      "");
  ASSERT_EQ(host.start(), "");
  auto got = host.take(30, 60s);
  ASSERT_EQ(got.size(), 30u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].offset(), static_cast<int64_t>(i));
}

TEST(KafkaFailures, ARevokedPartitionsUnfinishedMessagesGoToTheNextOwner) {
  MockCluster cluster(1);
  const std::string topic = unique_name("rebalance");
  const std::string group = unique_name("g");
  const int partitions = 4;
  const int per_partition = 10;
  cluster.create_topic(topic, partitions);
  KafkaClient client(cluster.bootstraps());
  std::vector<Record> records;
  for (int p = 0; p < partitions; ++p)
    for (int i = 0; i < per_partition; ++i) {
      Record r;
      r.payload = "p" + std::to_string(p) + "-" + std::to_string(i);
      r.partition = p;
      records.push_back(r);
    }
  client.produce(topic, records);
  const std::string config = connector_config(
      cluster.bootstraps(),
      {{"topics", boost::json::array{topic}}, {"group", group}, {"revoke_timeout_ms", 1000}});

  PluginHost first;
  ASSERT_EQ(first.create(config), "");
  ASSERT_EQ(first.start(), "");
  auto held = first.take(partitions * per_partition, 30s);
  ASSERT_EQ(held.size(), static_cast<size_t>(partitions * per_partition));
  // The first member finishes offsets 0..4 of every partition, not 5..9.
  std::vector<Received> unfinished;
  for (const auto& m : held) {
    if (m.offset() < 5)
      first.ack(m.ack_id);
    else
      unfinished.push_back(m);
  }
  // The finished offsets reach the group through the periodic commit before
  // the second member joins: a commit during the rebalance (the one on
  // revoke) may be refused with "rebalance in progress", and then the next
  // owner would rightly read finished messages again (at-least-once).
  ASSERT_TRUE(wait_until(
      [&] {
        auto c = client.committed(group, topic);
        if (c.size() != static_cast<size_t>(partitions)) return false;
        for (const auto& [p, o] : c)
          if (o != 5) return false;
        return true;
      },
      30s))
      << "the finished offsets were never committed";

  PluginHost second;
  ASSERT_EQ(second.create(config), "");
  ASSERT_EQ(second.start(), "");
  ASSERT_TRUE(wait_until([&] { return second.metric("assigned_partitions") > 0; }, 60s))
      << "the second member never got partitions";
  ASSERT_TRUE(wait_until(
      [&] {
        return first.metric("assigned_partitions") + second.metric("assigned_partitions") ==
               partitions;
      },
      30s));
  const int moved = static_cast<int>(second.metric("assigned_partitions"));
  // On failure, how each member saw the rebalance (revoked or lost).
  auto show_logs = [&] {
    std::string text;
    for (const auto* member : {&first, &second})
      for (const auto& line : member->logs())
        text += (member == &first ? "first: " : "second: ") + line + "\n";
    return text;
  };

  // The new owner reads the moved partitions from offset 5: nothing that
  // was unfinished is skipped, nothing finished is read again.
  auto taken = second.take(static_cast<size_t>(moved * 5), 30s);
  ASSERT_EQ(taken.size(), static_cast<size_t>(moved * 5));
  std::map<int32_t, std::set<int64_t>> by_partition;
  for (const auto& m : taken) by_partition[m.partition()].insert(m.offset());
  for (const auto& [p, offsets] : by_partition)
    EXPECT_EQ(offsets, (std::set<int64_t>{5, 6, 7, 8, 9})) << "partition " << p << "\n"
                                                           << show_logs();
  EXPECT_FALSE(second.next(500ms));

  // Late answers for the partitions that moved are ignored; the rest count.
  for (const auto& m : unfinished) first.ack(m.ack_id);
  EXPECT_EQ(first.metric("late_acks_ignored_total"), moved * 5);
  for (const auto& m : taken) second.ack(m.ack_id);
  EXPECT_TRUE(wait_until(
      [&] {
        auto c = client.committed(group, topic);
        if (c.size() != static_cast<size_t>(partitions)) return false;
        for (const auto& [p, o] : c)
          if (o != per_partition) return false;
        return true;
      },
      30s));
}

}  // namespace
}  // namespace sluice::test::kafka
