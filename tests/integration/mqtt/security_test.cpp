// Authentication, TLS and authorisation against a private mosquitto: a
// password file, a TLS listener whose certificate a test CA signed, and the
// dynamic-security plugin refusing a subscription.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::mqtt {
namespace {

TEST(MqttSecurity, BadPasswordIsReportedWithReasonCodeAndSetting) {
  TempDir dir;
  PrivateBroker broker({.password = true});
  broker.start();
  auto sluice =
      start_with_config(dir, config_header("auth") + "connectors:\n" +
                                 connector_yaml("m", broker.plain(),
                                                "    username: sluice\n    password: wrong\n"
                                                "    reconnect_wait_ms: 50\n"));
  expect_logged(sluice,
                // mosquitto 2.0 answers a wrong password with 135, not 134
                "refused the connection of client 'sluice-auth-m': Not authorized (135); check "
                "'username' and 'password'",
                1, std::chrono::seconds(20));
  // Logged once, not once per retry.
  EXPECT_EQ(count_occurrences(sluice.output(), "Not authorized (135)"), 1u);
}

TEST(MqttSecurity, V311RefusalNamesTheReturnCode) {
  TempDir dir;
  PrivateBroker broker({.password = true});
  broker.start();
  auto sluice =
      start_with_config(dir, config_header("auth3") + "connectors:\n" +
                                 connector_yaml("m", broker.plain(), "    protocol: \"3.1.1\"\n"));
  expect_logged(sluice, "check 'username' and 'password'", 1, std::chrono::seconds(20));
}

TEST(MqttSecurity, TlsWithTheTestCaAndPasswordRoundTrips) {
  TempDir dir;
  PrivateBroker broker({.password = true, .tls = true});
  broker.start();
  std::string root = unique_root("tls");
  HostPort tls = broker.tls();
  auto sluice = start_with_config(
      dir, config_header("tls") + "connectors:\n  m:\n    plugin: mqtt\n    url: ssl://" +
               tls.host + ":" + std::to_string(tls.port) + "\n    tls: {ca: " + broker.ca_file() +
               "}\n    username: sluice\n    password: secret\nroutes:\n  - from: \"m:" + root +
               "/in\"\n    to: \"m:" + root + "/out\"\n");
  expect_logged(sluice, "MQTT connector ready", 1, std::chrono::seconds(20));
  Subscriber out(broker.plain(), {root + "/out"}, 1, {"-u", "sluice", "-P", "secret"});
  out.wait_subscribed();
  publish(broker.plain(), root + "/in", "over-tls", 1, {"-u", "sluice", "-P", "secret"});
  auto got = out.wait_for(1, std::chrono::seconds(15));
  ASSERT_EQ(got.size(), 1u) << out.output() << sluice.output();
  EXPECT_EQ(got[0].payload, "over-tls");
}

TEST(MqttSecurity, TlsWithoutTheCaIsRefusedWithTheTlsHint) {
  TempDir dir;
  PrivateBroker broker({.tls = true});
  broker.start();
  HostPort tls = broker.tls();
  auto sluice = start_with_config(dir, config_header("notls") +
                                           "connectors:\n  m:\n    plugin: mqtt\n    url: ssl://" +
                                           tls.host + ":" + std::to_string(tls.port) + "\n");
  expect_logged(sluice, "check 'tls'", 1, std::chrono::seconds(20));
}

// A refused subscription is logged with the filter, the reason code and
// the setting to fix, keeps /readyz at 503 with the same text, and is not
// counted in subscriptions_active; the granted route still carries traffic.
struct Refusal {
  const char* protocol;
  bool filter_from_route;  // the refused filter comes from a route, else from `subscriptions`
  const char* reason;      // as the log and health name it
  int active;              // granted: the route's filter (+ v5's response topic)
};

void PrintTo(const Refusal& refusal, std::ostream* os) { *os << "protocol " << refusal.protocol; }

class MqttSubscriptionRefused : public ::testing::TestWithParam<Refusal> {};

TEST_P(MqttSubscriptionRefused, IsReportedWithReasonCodeAndSettingAndKeepsHealthDown) {
  const Refusal& p = GetParam();
  TempDir dir;
  PrivateBroker broker({.deny_subscribe = "private/#"});
  broker.start();
  std::string root = unique_root("suback");
  uint16_t admin = free_tcp_port();
  std::string refused_from =
      p.filter_from_route ? "  - from: \"m:private/#\"\n    to: \"m:" + root + "/never\"\n" : "";
  auto sluice = start_with_config(
      dir,
      config_header_with_admin("suback", admin) + "connectors:\n" +
          connector_yaml("m", broker.plain(),
                         "    protocol: \"" + std::string(p.protocol) + "\"\n" +
                             (p.filter_from_route ? "" : "    subscriptions: [\"private/#\"]\n")) +
          "routes:\n  - from: \"m:" + root + "/in\"\n    to: \"m:" + root + "/out\"\n" +
          refused_from);
  std::string report =
      std::string("the broker refused the subscription 'private/#' (QoS 1): ") + p.reason +
      "; check " + (p.filter_from_route ? "the route's 'from: m:private/#'" : "'subscriptions'") +
      " and the broker's ACL";
  expect_logged(sluice, "error [m] " + report, 1, std::chrono::seconds(20));
  expect_logged(sluice, "MQTT connector ready", 1, std::chrono::seconds(20));
  HttpResponse ready = http_get("127.0.0.1", admin, "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find(report), std::string::npos) << ready.body;
  expect_metric(admin, "subscriptions_active", p.active);
  expect_metric(admin, "connected", 1);

  Subscriber out(broker.plain(), {root + "/out"}, 1);
  out.wait_subscribed();
  publish(broker.plain(), root + "/in", "granted", 1);
  auto got = out.wait_for(1, std::chrono::seconds(15));
  ASSERT_EQ(got.size(), 1u) << out.output() << sluice.output();
  EXPECT_EQ(got[0].payload, "granted");
  // Still unhealthy: one of its subscriptions is missing.
  EXPECT_EQ(http_get("127.0.0.1", admin, "/readyz").status, 503);
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

INSTANTIATE_TEST_SUITE_P(Protocols, MqttSubscriptionRefused,
                         ::testing::Values(Refusal{"5", false, "Not authorized (135, 0x87)", 2},
                                           Refusal{"3.1.1", true, "Failure (128, 0x80)", 1}),
                         [](const auto& info) {
                           return info.param.protocol[0] == '5' ? "V5" : "V311";
                         });

}  // namespace
}  // namespace sluice::test::mqtt
