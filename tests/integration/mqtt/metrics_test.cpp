// The MQTT metrics and health as the admin server shows them through
// `sluice run`: messages in and out by QoS, the connection gauge and
// /readyz across a broker outage, the offline buffer filling and dropping
// while it is down, and reconnects_total once it is back.
#include <gtest/gtest.h>
#include <unistd.h>

#include "fixture.hpp"

namespace sluice::test::mqtt {
namespace {

TEST(MqttMetrics, CountByQosAndFollowABrokerOutageInGaugesAndHealth) {
  TempDir dir;
  PrivateBroker broker({});
  broker.start();
  HostPort shared = shared_broker();
  std::string root = unique_root("metrics");
  uint16_t admin = free_tcp_port();
  // `m` (the private broker) relays in -> out at the QoS each message came
  // with; `feed` (the shared broker, up throughout) publishes to `m` so that
  // publishes reach it while its broker is down.
  auto sluice = start_with_config(
      dir, config_header_with_admin("metrics-" + std::to_string(getpid()), admin) +
               "connectors:\n" +
               connector_yaml("m", broker.plain(),
                              "    qos: 2\n    max_buffered: 3\n    reconnect_wait_ms: 50\n"
                              "    reconnect_wait_max_ms: 200\n"
                              "    retry: {max_attempts: 1000, initial_backoff_ms: 20, "
                              "max_backoff_ms: 100}\n") +
               connector_yaml("feed", shared, "    clean_session: true\n") + "routes:\n" +
               "  - from: \"m:" + root + "/in\"\n    to: \"m:" + root + "/out\"\n" +
               "  - from: \"feed:" + root + "/feed\"\n    to: \"m:" + root + "/out\"\n");
  auto ready = [&] { return http_get("127.0.0.1", admin, "/readyz"); };
  ASSERT_TRUE(wait_until([&] { return ready().status == 200; }, std::chrono::seconds(20)))
      << ready().body << sluice.output();
  expect_metric(admin, "connected", 1);
  expect_metric(admin, "subscriptions_active", 2);  // the route's filter, the response topic

  Subscriber out(broker.plain(), {root + "/out"}, 2);
  out.wait_subscribed();
  publish_lines(broker.plain(), root + "/in", numbered("zero-", 3), 0);
  publish_lines(broker.plain(), root + "/in", numbered("one-", 4), 1);
  publish_lines(broker.plain(), root + "/in", numbered("two-", 2), 2);
  ASSERT_EQ(out.wait_for(9, std::chrono::seconds(20)).size(), 9u) << out.output();
  for (auto [name, value] : {std::pair{"received_qos0_total", 3},
                             {"received_qos1_total", 4},
                             {"received_qos2_total", 2},
                             {"published_qos0_total", 3},
                             {"published_qos1_total", 4},
                             {"published_qos2_total", 2}})
    expect_metric(admin, name, value);
  EXPECT_EQ(mqtt_metric(admin, "reconnects_total"), 0);

  broker.kill();
  ASSERT_TRUE(wait_until([&] { return ready().status == 503; }, std::chrono::seconds(20)))
      << ready().body;
  EXPECT_NE(ready().body.find("-m' disconnected, reconnecting"), std::string::npos) << ready().body;
  expect_metric(admin, "connected", 0);
  expect_metric(admin, "subscriptions_active", 0);

  // Five publishes for a buffer of three: the oldest are dropped (and
  // retried by the route, so the drops go on while the broker is away).
  publish_lines(shared, root + "/feed", numbered("offline-", 5), 1);
  expect_metric(admin, "buffered", 3);
  EXPECT_TRUE(wait_until([&] { return mqtt_metric(admin, "dropped_offline_total") >= 2; },
                         std::chrono::seconds(20)))
      << http_get("127.0.0.1", admin, "/metrics").body;
  EXPECT_EQ(ready().status, 503);

  broker.start();
  ASSERT_TRUE(wait_until([&] { return ready().status == 200; }, std::chrono::seconds(30)))
      << ready().body << sluice.output();
  expect_metric(admin, "connected", 1);
  expect_metric(admin, "reconnects_total", 1);
  expect_metric(admin, "subscriptions_active", 2);
  expect_metric(admin, "buffered", 0);
  // All five reach the restarted broker: buffered ones flushed, dropped ones
  // retried (the connector's retry outlasts the outage).
  expect_metric(admin, "published_qos1_total", 4 + 5);
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

}  // namespace
}  // namespace sluice::test::mqtt
