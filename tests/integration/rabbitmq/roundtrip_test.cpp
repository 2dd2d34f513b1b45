// Messages through `sluice run`: the test's own client publishes into a
// queue that sluice consumes (topology declared by sluice from its config),
// a route forwards them to an exchange, and the client reads them from the
// queue bound there, with their headers and properties.
#include <gtest/gtest.h>

#include <set>

#include "fixture.hpp"

namespace sluice::test::rabbitmq {
namespace {

class RabbitRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    exchange_ = unique_name("rt-ex");
    in_ = unique_name("rt-in");
    out_ = unique_name("rt-out");
  }
  void TearDown() override {
    if (sluice_) {
      EXPECT_EQ(sluice_->stop(), 0) << sluice_->output();
    }
    AmqpClient admin(amqp_url());
    admin.delete_queue(in_);
    admin.delete_queue(out_);
    admin.delete_exchange(exchange_);
  }

  std::string connector(const std::string& extra = "") const {
    return "connectors:\n  bus:\n    plugin: rabbitmq\n    url: " + amqp_url() +
           "\n    exchanges: [{name: " + exchange_ + ", type: topic}]" +
           "\n    queues: [{name: " + in_ + "}, {name: " + out_ + ", max_length: 100000}]" +
           "\n    bindings:\n      - {queue: " + in_ + ", exchange: " + exchange_ +
           ", routing_key: \"in.#\"}\n      - {queue: " + out_ + ", exchange: " + exchange_ +
           ", routing_key: \"out.*\"}\n    consume: [" + in_ + "]\n    exchange: " + exchange_ +
           "\n    prefetch: 50\n" + extra;
  }

  TempDir dir_;
  std::string exchange_, in_, out_;
  std::unique_ptr<SluiceProcess> sluice_;
};

TEST_F(RabbitRoundTrip, ConsumedForwardedAndConfirmed_WithHeadersAndProperties) {
  sluice_ = std::make_unique<SluiceProcess>(start_with_config(
      dir_, config_header("node-rt") + connector() +
                "routes:\n  - from: \"bus:in.#\"\n    to: \"bus:out.forwarded\"\n"));
  expect_ready(*sluice_);

  AmqpClient client(amqp_url());
  std::vector<Publish> batch;
  for (int i = 0; i < 200; ++i)
    batch.push_back({exchange_,
                     "in.orders." + std::to_string(i % 3),
                     "msg-" + std::to_string(i),
                     "",
                     "corr-" + std::to_string(i),
                     -1,
                     {{"tenant", "acme"}}});
  client.publish_many(batch);

  auto got = drain(client, out_, 200, std::chrono::seconds(30));
  ASSERT_EQ(got.size(), 200u) << sluice_->output();
  std::set<std::string> bodies;
  for (const auto& m : got) {
    bodies.insert(m.body);
    EXPECT_EQ(m.routing_key, "out.forwarded");
    EXPECT_EQ(m.exchange, exchange_);
    EXPECT_EQ(m.headers.at("tenant"), "acme");
    EXPECT_EQ(m.headers.at("sluice-node"), "node-rt");
    EXPECT_EQ(m.delivery_mode, 2);  // persistent by default
    EXPECT_EQ(m.correlation_id, "corr-" + m.body.substr(4));
  }
  EXPECT_EQ(bodies.size(), 200u);
  // Everything was acked to the source queue.
  EXPECT_TRUE(wait_until([&] { return client.queue_counts(in_)->messages == 0; },
                         std::chrono::seconds(10)));
  std::string listing;
  ASSERT_EQ(rabbitmqctl({"list_queues", "-q", "name", "messages_unacknowledged"}, &listing), 0)
      << listing;
  EXPECT_NE(listing.find(in_ + "\t0"), std::string::npos) << listing;
}

TEST_F(RabbitRoundTrip, TopologyDeclaredFromConfig_IsVisibleOnTheServer) {
  sluice_ = std::make_unique<SluiceProcess>(
      start_with_config(dir_, config_header("node-topo") + connector()));
  expect_ready(*sluice_);
  AmqpClient client(amqp_url());
  EXPECT_TRUE(client.exchange_exists(exchange_));
  auto in = client.queue_counts(in_);
  ASSERT_TRUE(in);
  EXPECT_EQ(in->consumers, 1u);
  ASSERT_TRUE(client.queue_counts(out_));
  std::string bindings;
  ASSERT_EQ(rabbitmqctl({"list_bindings", "-q", "source_name", "destination_name", "routing_key"},
                        &bindings),
            0)
      << bindings;
  EXPECT_NE(bindings.find(exchange_ + "\t" + in_ + "\tin.#"), std::string::npos) << bindings;
  EXPECT_NE(bindings.find(exchange_ + "\t" + out_ + "\tout.*"), std::string::npos) << bindings;
  std::string queues;
  ASSERT_EQ(rabbitmqctl({"list_queues", "-q", "name", "arguments"}, &queues), 0);
  EXPECT_NE(queues.find("x-max-length"), std::string::npos) << queues;
}

TEST_F(RabbitRoundTrip, PassiveDeclareOfMissingQueue_IsUnhealthyWithTheServerText) {
  sluice_ = std::make_unique<SluiceProcess>(
      start_with_config(dir_, config_header("node-passive") + connector("    passive: true\n")));
  EXPECT_TRUE(sluice_->wait_for_output("NOT_FOUND", std::chrono::seconds(20))) << sluice_->output();
  EXPECT_NE(sluice_->output().find("exchanges[0] '" + exchange_ + "'"), std::string::npos)
      << sluice_->output();
  EXPECT_EQ(sluice_->output().find("RabbitMQ connector ready"), std::string::npos);
}

// A queue that exists with other arguments: the server's PRECONDITION_FAILED
// text, the setting to fix, and an unhealthy connector that keeps retrying.
TEST(RabbitChannelErrors, QueueExistsWithOtherArguments_ReportedWithTheSettingToFix) {
  TempDir dir;
  std::string queue = unique_name("inequivalent");
  AmqpClient client(amqp_url());
  client.declare_queue(queue, R"({"x-max-priority": 5})");
  uint16_t port = free_tcp_port();
  SluiceProcess sluice = start_with_config(
      dir, "node_id: node-406\nworkers: 1\nadmin: {enabled: true, listen: 127.0.0.1:" +
               std::to_string(port) + "}\nconnectors:\n  bus:\n    plugin: rabbitmq\n" +
               "    url: " + amqp_url() + "\n    queues: [{name: " + queue +
               ", max_priority: 10}]\n");
  ASSERT_TRUE(sluice.wait_for_output("PRECONDITION_FAILED", std::chrono::seconds(20)))
      << sluice.output();
  EXPECT_NE(sluice.output().find("queues[0] '" + queue + "'"), std::string::npos)
      << sluice.output();
  EXPECT_NE(sluice.output().find("x-max-priority"), std::string::npos) << sluice.output();
  EXPECT_NE(sluice.output().find("fix 'queues'"), std::string::npos) << sluice.output();
  EXPECT_TRUE(wait_until(
      [&] {
        auto r = http_get("127.0.0.1", port, "/readyz");
        return r.status == 503 && r.body.find("PRECONDITION_FAILED") != std::string::npos;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
  client.delete_queue(queue);
}

// `url` as a list: a server that is down is skipped for the next one.
TEST(RabbitFailover, FirstUrlDown_ConnectsToTheNext) {
  TempDir dir;
  std::string queue = unique_name("failover");
  std::string down = "amqp://guest:guest@127.0.0.1:" + std::to_string(free_tcp_port()) + "/";
  SluiceProcess sluice = start_with_config(
      dir, config_header("node-failover") + "connectors:\n  bus:\n    plugin: rabbitmq\n" +
               "    url: [\"" + down + "\", \"" + amqp_url() + "\"]\n" +
               "    reconnect_wait_ms: 50\n    queues: [{name: " + queue + "}]\n");
  expect_ready(sluice);
  EXPECT_NE(sluice.output().find("cannot connect to 127.0.0.1"), std::string::npos)
      << sluice.output();
  AmqpClient client(amqp_url());
  EXPECT_TRUE(client.queue_counts(queue));
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
  client.delete_queue(queue);
}

}  // namespace
}  // namespace sluice::test::rabbitmq
