// Authentication and TLS against a private mosquitto with a password file
// and a TLS listener whose certificate a test CA signed.
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

}  // namespace
}  // namespace sluice::test::mqtt
