// What happens to messages that cannot be delivered: publisher confirms with
// `mandatory` (an unroutable publish fails and goes to the route's
// dead_letter), NACKs without requeue (the queue's dead-letter exchange),
// the redelivery limit (a poison message is not requeued forever), and
// priority queues (high before low).
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::rabbitmq {
namespace {

class RabbitFailurePaths : public ::testing::Test {
 protected:
  void TearDown() override {
    if (sluice_) {
      EXPECT_EQ(sluice_->stop(), 0) << sluice_->output();
    }
    AmqpClient admin(amqp_url());
    for (const auto& q : queues_) admin.delete_queue(q);
    for (const auto& e : exchanges_) admin.delete_exchange(e);
  }
  std::string queue(const std::string& name) { return queues_.emplace_back(unique_name(name)); }
  std::string exchange(const std::string& name) {
    return exchanges_.emplace_back(unique_name(name));
  }

  TempDir dir_;
  std::vector<std::string> queues_, exchanges_;
  std::unique_ptr<SluiceProcess> sluice_;
};

TEST_F(RabbitFailurePaths, MandatoryPublishWithoutBinding_FailsAndDeadLetters) {
  std::string ex = exchange("mand-ex");
  std::string ok_queue = queue("mand-ok");
  std::string dlq = dir_.file("dlq.jsonl");
  sluice_ = std::make_unique<SluiceProcess>(start_with_config(
      dir_, config_header("node-mand") + "connectors:\n  bus:\n    plugin: rabbitmq\n    url: " +
                amqp_url() + "\n    exchanges: [{name: " + ex + ", type: topic}]\n" +
                "    queues: [{name: " + ok_queue + "}]\n" + "    bindings: [{queue: " + ok_queue +
                ", exchange: " + ex + ", routing_key: \"routed.#\"}]\n" + "    exchange: " + ex +
                "\n    mandatory: true\n" +
                "    retry: {max_attempts: 2, initial_backoff_ms: 10, max_backoff_ms: 20}\n" +
                "  gen:\n    plugin: generate\n    count: 5\n    payload: 'm-${counter}'\n" +
                "  dlq:\n    plugin: file\n    path: " + dlq + "\n    format: json\n" +
                "routes:\n  - from: gen\n    to: \"bus:nobody.listens\"\n    dead_letter: dlq\n" +
                "  - from: gen\n    to: \"bus:routed.fine\"\n"));
  expect_ready(*sluice_);
  ASSERT_TRUE(wait_until([&] { return count_lines(dlq) >= 5; }, std::chrono::seconds(20)))
      << sluice_->output();
  std::string dead = read_file(dlq);
  EXPECT_NE(dead.find("unroutable"), std::string::npos) << dead;
  EXPECT_NE(dead.find("nobody.listens"), std::string::npos) << dead;
  AmqpClient client(amqp_url());
  EXPECT_EQ(drain(client, ok_queue, 5, std::chrono::seconds(10)).size(), 5u);
}

TEST_F(RabbitFailurePaths, PublishToMissingExchange_FailsWithTheServerText) {
  std::string dlq = dir_.file("dlq.jsonl");
  std::string missing = unique_name("missing-ex");
  sluice_ = std::make_unique<SluiceProcess>(start_with_config(
      dir_, config_header("node-404") + "connectors:\n  bus:\n    plugin: rabbitmq\n    url: " +
                amqp_url() + "\n    exchange: " + missing +
                "\n    retry: {max_attempts: 1, initial_backoff_ms: 10, max_backoff_ms: 20}\n" +
                "  gen:\n    plugin: generate\n    count: 3\n    payload: 'x-${counter}'\n" +
                "  dlq:\n    plugin: file\n    path: " + dlq + "\n    format: json\n" +
                "routes:\n  - from: gen\n    to: \"bus:k\"\n    dead_letter: dlq\n"));
  ASSERT_TRUE(wait_until([&] { return count_lines(dlq) >= 3; }, std::chrono::seconds(20)))
      << sluice_->output();
  EXPECT_NE(read_file(dlq).find("NOT_FOUND"), std::string::npos) << read_file(dlq);
}

// A handler that always fails: with `nack: dead_letter` each delivery is
// nacked without requeue and lands in the queue's dead-letter exchange.
TEST_F(RabbitFailurePaths, NackWithoutRequeue_LandsInTheDeadLetterExchange) {
  std::string dlx = exchange("dlx");
  std::string work = queue("work");
  std::string dead = queue("dead");
  write_file(dir_.file("poison.lua"),
             "sluice.on(\"bus:#\", function(msg) error(\"poison\") end)\n");
  sluice_ = std::make_unique<SluiceProcess>(start_with_config(
      dir_, config_header("node-dlx") + "script: poison.lua\n" +
                "connectors:\n  bus:\n    plugin: rabbitmq\n    url: " + amqp_url() +
                "\n    exchanges: [{name: " + dlx + ", type: fanout}]\n" + "    queues: [{name: " +
                work + ", dead_letter_exchange: " + dlx + "}, {name: " + dead + "}]\n" +
                "    bindings: [{queue: " + dead + ", exchange: " + dlx + "}]\n" +
                "    consume: [" + work + "]\n    nack: dead_letter\n"));
  expect_ready(*sluice_);
  AmqpClient client(amqp_url());
  for (int i = 0; i < 10; ++i) client.publish({"", work, "poison-" + std::to_string(i)});
  auto got = drain(client, dead, 10, std::chrono::seconds(20));
  ASSERT_EQ(got.size(), 10u) << sluice_->output();
  for (const auto& m : got) EXPECT_EQ(m.body.rfind("poison-", 0), 0u);
  EXPECT_TRUE(wait_until([&] { return client.queue_counts(work)->messages == 0; },
                         std::chrono::seconds(5)));
}

// `nack: requeue` with `redelivery_limit: 1`: a poison message is requeued
// once, then dead-lettered instead of looping.
TEST_F(RabbitFailurePaths, RedeliveryLimit_EndsAPoisonLoop) {
  std::string dlx = exchange("dlx");
  std::string work = queue("work");
  std::string dead = queue("dead");
  write_file(dir_.file("poison.lua"),
             "sluice.on(\"bus:#\", function(msg) error(\"poison\") end)\n");
  sluice_ = std::make_unique<SluiceProcess>(start_with_config(
      dir_, config_header("node-limit") + "script: poison.lua\n" +
                "connectors:\n  bus:\n    plugin: rabbitmq\n    url: " + amqp_url() +
                "\n    exchanges: [{name: " + dlx + ", type: fanout}]\n" + "    queues: [{name: " +
                work + ", dead_letter_exchange: " + dlx + "}, {name: " + dead + "}]\n" +
                "    bindings: [{queue: " + dead + ", exchange: " + dlx + "}]\n" +
                "    consume: [" + work + "]\n    nack: requeue\n    redelivery_limit: 1\n"));
  expect_ready(*sluice_);
  AmqpClient client(amqp_url());
  client.publish({"", work, "poison"});
  auto got = drain(client, dead, 1, std::chrono::seconds(20));
  ASSERT_EQ(got.size(), 1u) << sluice_->output();
  EXPECT_EQ(got[0].body, "poison");
}

// On a quorum queue the limit counts exactly (x-delivery-count): with
// `redelivery_limit: 2` a poison message is delivered 3 times, then dead-lettered.
TEST_F(RabbitFailurePaths, RedeliveryLimitOnAQuorumQueue_CountsDeliveries) {
  std::string dlx = exchange("qdlx");
  std::string work = queue("qwork");
  std::string dead = queue("qdead");
  uint16_t port = free_tcp_port();
  write_file(dir_.file("poison.lua"),
             "sluice.on(\"bus:#\", function(msg) error(\"poison\") end)\n");
  sluice_ = std::make_unique<SluiceProcess>(start_with_config(
      dir_,
      "node_id: node-quorum\nworkers: 1\nscript: poison.lua\n"
      "admin: {enabled: true, listen: 127.0.0.1:" +
          std::to_string(port) + "}\n" + "connectors:\n  bus:\n    plugin: rabbitmq\n" +
          "    url: " + amqp_url() + "\n    exchanges: [{name: " + dlx + ", type: fanout}]\n" +
          "    queues: [{name: " + work + ", type: quorum, dead_letter_exchange: " + dlx +
          "}, {name: " + dead + "}]\n" + "    bindings: [{queue: " + dead + ", exchange: " + dlx +
          "}]\n" + "    consume: [" + work + "]\n    nack: requeue\n    redelivery_limit: 2\n"));
  expect_ready(*sluice_);
  AmqpClient client(amqp_url());
  client.publish({"", work, "poison"});
  auto got = drain(client, dead, 1, std::chrono::seconds(20));
  ASSERT_EQ(got.size(), 1u) << sluice_->output();
  auto metrics = http_get("127.0.0.1", port, "/metrics").body;
  EXPECT_NE(metrics.find("sluice_rabbitmq_consumed_total{connector=\"bus\",plugin=\"rabbitmq\"} 3"),
            std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find("sluice_rabbitmq_dead_lettered_total{connector=\"bus\",plugin=\"rabbitmq\"} 1"),
      std::string::npos)
      << metrics;
}

// `ack_mode: auto` is at-most-once: a delivery is acked when sluice takes
// it, so a failing handler does not bring it back.
TEST_F(RabbitFailurePaths, AutoAckMode_FailedMessageIsNotRedelivered) {
  std::string work = queue("auto");
  uint16_t port = free_tcp_port();
  write_file(dir_.file("poison.lua"),
             "sluice.on(\"bus:#\", function(msg) error(\"poison\") end)\n");
  sluice_ = std::make_unique<SluiceProcess>(start_with_config(
      dir_,
      "node_id: node-auto\nworkers: 1\nscript: poison.lua\n"
      "admin: {enabled: true, listen: 127.0.0.1:" +
          std::to_string(port) + "}\nconnectors:\n  bus:\n    plugin: rabbitmq\n" +
          "    url: " + amqp_url() + "\n    queues: [{name: " + work + "}]\n" + "    consume: [" +
          work + "]\n    ack_mode: auto\n"));
  expect_ready(*sluice_);
  AmqpClient client(amqp_url());
  for (int i = 0; i < 3; ++i) client.publish({"", work, "once-" + std::to_string(i)});
  auto metric = [&](const std::string& name) {
    auto m = http_get("127.0.0.1", port, "/metrics").body;
    std::string key = name + "{connector=\"bus\",plugin=\"rabbitmq\"} ";
    size_t pos = m.find(key);
    return pos == std::string::npos ? -1.0 : std::stod(m.substr(pos + key.size()));
  };
  ASSERT_TRUE(wait_until([&] { return metric("sluice_rabbitmq_acked_total") >= 3; },
                         std::chrono::seconds(10)));
  EXPECT_TRUE(wait_until([&] { return client.queue_counts(work)->messages == 0; },
                         std::chrono::seconds(5)));
  EXPECT_EQ(metric("sluice_rabbitmq_consumed_total"), 3);
  EXPECT_EQ(metric("sluice_rabbitmq_redelivered_total"), 0);
  EXPECT_EQ(metric("sluice_rabbitmq_rejected_total"), 0);
}

TEST_F(RabbitFailurePaths, PriorityQueue_DeliversHighBeforeLow) {
  std::string prio = queue("prio");
  std::string out = dir_.file("out.txt");
  AmqpClient client(amqp_url());
  client.declare_queue(prio, R"({"x-max-priority": 10})");
  std::vector<Publish> batch;
  for (int i = 0; i < 20; ++i) batch.push_back({"", prio, "low", "", "", 1});
  for (int i = 0; i < 20; ++i) batch.push_back({"", prio, "high", "", "", 9});
  client.publish_many(batch);
  sluice_ = std::make_unique<SluiceProcess>(
      start_with_config(dir_,
                        "node_id: node-prio\nworkers: 1\nadmin: {enabled: false}\n"
                        "connectors:\n  bus:\n    plugin: rabbitmq\n    url: " +
                            amqp_url() + "\n    queues: [{name: " + prio +
                            ", max_priority: 10}]\n" + "    consume: [" + prio +
                            "]\n    prefetch: 1\n" + "  out:\n    plugin: file\n    path: " + out +
                            "\n" + "routes:\n  - from: bus\n    to: out\n"));
  ASSERT_TRUE(wait_until([&] { return count_lines(out) >= 40; }, std::chrono::seconds(30)))
      << sluice_->output();
  auto lines = read_lines(out);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(lines[i], "high") << "line " << i;
  for (int i = 20; i < 40; ++i) EXPECT_EQ(lines[i], "low") << "line " << i;
}

}  // namespace
}  // namespace sluice::test::rabbitmq
