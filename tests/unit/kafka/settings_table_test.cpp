// The Kafka plugin's settings table and route-pattern translation, tested
// directly (no cluster): the README carries the generated table, properties
// go to the client they belong to, route patterns become subscriptions.
#include <gtest/gtest.h>

#include "kafka_settings.hpp"
#include "support/sluice_test.hpp"
#include "topic_pattern.hpp"

namespace sluice::test::kafka {
namespace {

TEST(KafkaSettingsTable, ReadmeCarriesTheGeneratedTable) {
  std::string readme = read_file(source_dir() + "/plugins/kafka/README.md");
  EXPECT_NE(readme.find(sluice::kafka::settings().markdown_table()), std::string::npos)
      << "plugins/kafka/README.md must contain settings().markdown_table() verbatim:\n"
      << sluice::kafka::settings().markdown_table();
}

TEST(KafkaSettingsTable, RoutesPropertiesToTheRightClient) {
  using sluice::kafka::client_properties;
  using sluice::kafka::Role;
  auto cfg = sluice::kafka::settings().parse(
      R"({"brokers": "b:1", "properties": {"fetch.min.bytes": 10, "linger.ms": 7,
          "socket.keepalive.enable": true}})");
  auto has = [](const sluice::kafka::Properties& p, const std::string& name) {
    for (const auto& [n, v] : p)
      if (n == name) return true;
    return false;
  };
  auto consumer = client_properties(cfg, Role::kConsumer, "node-7");
  auto producer = client_properties(cfg, Role::kProducer, "node-7");
  EXPECT_TRUE(has(consumer, "fetch.min.bytes"));
  EXPECT_FALSE(has(producer, "fetch.min.bytes"));
  EXPECT_TRUE(has(producer, "linger.ms"));
  EXPECT_TRUE(has(consumer, "socket.keepalive.enable"));
  EXPECT_TRUE(has(producer, "socket.keepalive.enable"));
  EXPECT_EQ(consumer[1], (std::pair<std::string, std::string>{"client.id", "node-7"}));
}

TEST(KafkaTopicPattern, TranslatesRoutePatterns) {
  using sluice::kafka::subscription_for_pattern;
  EXPECT_FALSE(subscription_for_pattern(""));
  EXPECT_FALSE(subscription_for_pattern(">"));
  EXPECT_EQ(subscription_for_pattern("tracking.data"), "tracking.data");
  EXPECT_EQ(subscription_for_pattern("^orders-.*"), "^orders-.*");
  EXPECT_EQ(subscription_for_pattern("tracking.*"), "^tracking\\.[^.]*$");
  EXPECT_EQ(subscription_for_pattern("tracking.>"), "^tracking\\..*$");
}

}  // namespace
}  // namespace sluice::test::kafka
