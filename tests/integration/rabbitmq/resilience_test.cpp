// At-least-once under failures: sluice killed with SIGKILL mid-stream and
// restarted, and the RabbitMQ application stopped and started under a
// running sluice. Every message arrives downstream at least once; nothing
// stays unacked in the source queue.
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <set>

#include "fixture.hpp"

namespace sluice::test::rabbitmq {
namespace {

class RabbitResilience : public ::testing::Test {
 protected:
  void SetUp() override {
    exchange_ = unique_name("res-ex");
    in_ = unique_name("res-in");
    out_ = unique_name("res-out");
  }
  void TearDown() override {
    if (sluice_) sluice_->stop();
    AmqpClient admin(amqp_url());
    admin.delete_queue(in_);
    admin.delete_queue(out_);
    admin.delete_exchange(exchange_);
  }
  std::string config(const std::string& header, int prefetch = 200) const {
    return header + "connectors:\n  bus:\n    plugin: rabbitmq\n    url: " + amqp_url() +
           "\n    reconnect_wait_ms: 100\n    reconnect_wait_max_ms: 1000\n" +
           "    exchanges: [{name: " + exchange_ + ", type: direct}]\n" +
           "    queues: [{name: " + in_ + "}, {name: " + out_ + "}]\n" +
           "    bindings: [{queue: " + out_ + ", exchange: " + exchange_ +
           ", routing_key: out}]\n    consume: [" + in_ + "]\n    exchange: " + exchange_ +
           "\n    prefetch: " + std::to_string(prefetch) + "\n" +
           "routes:\n  - from: bus\n    to: \"bus:out\"\n";
  }
  // Reads what arrived in out_ so far into seen_ (body -> times).
  void collect(AmqpClient& client) {
    while (auto m = client.get(out_)) ++seen_[m->body];
  }
  size_t unacked_in_source() {
    std::string listing;
    if (rabbitmqctl({"list_queues", "-q", "name", "messages_unacknowledged"}, &listing) != 0)
      return 1u << 30;
    size_t pos = listing.find(in_ + "\t");
    if (pos == std::string::npos) return 1u << 30;
    return std::stoul(listing.substr(pos + in_.size() + 1));
  }

  TempDir dir_;
  std::string exchange_, in_, out_;
  std::map<std::string, int> seen_;
  std::unique_ptr<SluiceProcess> sluice_;
};

TEST_F(RabbitResilience, Kill9MidStream_NothingLostAfterRestart) {
  constexpr int kMessages = 10000;
  {
    AmqpClient client(amqp_url());
    client.declare_queue(in_);
    std::vector<Publish> batch;
    for (int i = 0; i < kMessages; ++i) batch.push_back({"", in_, "m" + std::to_string(i)});
    client.publish_many(batch);
  }
  std::string header = config_header("node-k9");
  // A small prefetch keeps sluice slow enough to be killed mid-stream.
  sluice_ = std::make_unique<SluiceProcess>(start_with_config(dir_, config(header, 10)));
  expect_ready(*sluice_);
  AmqpClient reader(amqp_url());
  ASSERT_TRUE(wait_until([&] { return reader.queue_counts(out_)->messages >= 1000; },
                         std::chrono::seconds(60), std::chrono::milliseconds(5)))
      << sluice_->output();
  sluice_->signal(SIGKILL);
  ASSERT_TRUE(sluice_->wait(std::chrono::seconds(10)));
  size_t at_kill = reader.queue_counts(out_)->messages;
  ASSERT_LT(at_kill, static_cast<size_t>(kMessages)) << "the kill came too late to test anything";

  sluice_ = std::make_unique<SluiceProcess>(start_with_config(dir_, config(header, 10)));
  expect_ready(*sluice_);
  ASSERT_TRUE(wait_until(
      [&] {
        collect(reader);
        return seen_.size() >= static_cast<size_t>(kMessages);
      },
      std::chrono::seconds(120)))
      << "distinct messages downstream: " << seen_.size() << "\n"
      << sluice_->output();
  EXPECT_TRUE(wait_until([&] { return reader.queue_counts(in_)->messages == 0; },
                         std::chrono::seconds(10)));
  EXPECT_TRUE(wait_until([&] { return unacked_in_source() == 0; }, std::chrono::seconds(20)));
  collect(reader);
  size_t duplicates = 0;
  for (const auto& [body, times] : seen_) duplicates += static_cast<size_t>(times - 1);
  EXPECT_EQ(seen_.size(), static_cast<size_t>(kMessages));  // lost: 0
  std::cout << "kill -9 after " << at_kill << " of " << kMessages
            << " delivered: lost 0, duplicated " << duplicates << "\n";
  EXPECT_EQ(sluice_->stop(), 0) << sluice_->output();
  sluice_.reset();
}

TEST_F(RabbitResilience, BrokerStoppedAndStarted_ReconnectsNothingLostHealthFollows) {
  uint16_t admin_port = free_tcp_port();
  std::string header =
      "node_id: node-outage\nworkers: 2\nshutdown_timeout_ms: 10000\n"
      "admin: {enabled: true, listen: 127.0.0.1:" +
      std::to_string(admin_port) + "}\n";
  sluice_ = std::make_unique<SluiceProcess>(start_with_config(dir_, config(header)));
  expect_ready(*sluice_);
  auto ready = [&] { return http_get("127.0.0.1", admin_port, "/readyz").status; };
  ASSERT_TRUE(wait_until([&] { return ready() == 200; }, std::chrono::seconds(10)));

  constexpr int kBatch = 1000;
  {
    AmqpClient client(amqp_url());
    std::vector<Publish> batch;
    for (int i = 0; i < kBatch; ++i) batch.push_back({"", in_, "a" + std::to_string(i)});
    client.publish_many(batch);
  }
  {
    AmqpClient reader(amqp_url());
    ASSERT_TRUE(wait_until(
        [&] {
          collect(reader);
          return seen_.size() >= 100;
        },
        std::chrono::seconds(30)));
  }
  std::string out;
  ASSERT_EQ(rabbitmqctl({"stop_app"}, &out), 0) << out;
  bool went_unhealthy = wait_until([&] { return ready() == 503; }, std::chrono::seconds(20));
  std::string health = http_get("127.0.0.1", admin_port, "/readyz").body;
  ASSERT_EQ(rabbitmqctl({"start_app"}, &out), 0) << out;
  EXPECT_TRUE(went_unhealthy) << health;
  EXPECT_NE(health.find("bus"), std::string::npos) << health;
  expect_ready(*sluice_, 2, std::chrono::seconds(60));
  EXPECT_TRUE(wait_until([&] { return ready() == 200; }, std::chrono::seconds(20)));

  AmqpClient client(amqp_url());
  std::vector<Publish> batch;
  for (int i = 0; i < kBatch; ++i) batch.push_back({"", in_, "b" + std::to_string(i)});
  client.publish_many(batch);
  ASSERT_TRUE(wait_until(
      [&] {
        collect(client);
        return seen_.size() >= 2 * kBatch;
      },
      std::chrono::seconds(60)))
      << "distinct messages downstream: " << seen_.size() << "\n"
      << sluice_->output();
  EXPECT_EQ(seen_.size(), static_cast<size_t>(2 * kBatch));
  EXPECT_TRUE(wait_until([&] { return unacked_in_source() == 0; }, std::chrono::seconds(20)));
  std::string metrics = http_get("127.0.0.1", admin_port, "/metrics").body;
  EXPECT_NE(
      metrics.find("sluice_rabbitmq_reconnects_total{connector=\"bus\",plugin=\"rabbitmq\"} 1"),
      std::string::npos)
      << metrics;
  EXPECT_EQ(sluice_->stop(), 0) << sluice_->output();
  sluice_.reset();
}

}  // namespace
}  // namespace sluice::test::rabbitmq
