// TLS and heartbeats against the test broker: scripts/brokers.sh gives
// rabbitmq-server a TLS listener whose certificate (for 127.0.0.1) is signed
// by a CA it makes at start. sluice consumes and publishes over `amqps://`
// with verification on; an untrusted server certificate is refused with the
// reason; a connection with a short heartbeat survives idleness because the
// I/O loop keeps sending heartbeats (RabbitMQ closes a connection that
// misses two).
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "fixture.hpp"

namespace sluice::test::rabbitmq {
namespace {

std::string required_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    ADD_FAILURE() << name << " is not set: start the brokers with scripts/brokers.sh start";
    return "";
  }
  return value;
}

// The broker's view of sluice's connection named `name` (its client
// properties carry the name): "ssl<TAB>timeout<TAB>connected_at", or "" while
// there is none.
std::string broker_view_of(const std::string& name) {
  std::string listing;
  if (rabbitmqctl({"list_connections", "-q", "ssl", "timeout", "connected_at", "client_properties"},
                  &listing) != 0)
    return "";
  size_t pos = listing.find("\"" + name + "\"");
  if (pos == std::string::npos) return "";
  size_t begin = listing.rfind('\n', pos);
  begin = begin == std::string::npos ? 0 : begin + 1;
  std::string line = listing.substr(begin, pos - begin);
  size_t third_tab = line.find('\t', line.find('\t', line.find('\t') + 1) + 1);
  return line.substr(0, third_tab);
}

// The TLS URL with the host name the test certificate names: rabbitmq-c
// verifies DNS names only, never an IP address.
std::string amqps_url_by_name() {
  std::string url = required_env("SLUICE_TEST_AMQPS_URL");
  size_t at = url.find("@127.0.0.1:");
  if (at != std::string::npos) url.replace(at + 1, 9, "localhost");
  return url;
}

class RabbitTls : public ::testing::Test {
 protected:
  void SetUp() override {
    in_ = unique_name("tls-in");
    out_ = unique_name("tls-out");
    name_ = unique_name("sluice-tls");
  }
  void TearDown() override {
    if (sluice_) sluice_->stop();
    AmqpClient admin(amqp_url());
    admin.delete_queue(in_);
    admin.delete_queue(out_);
  }
  // Consumes in_ and forwards to out_ through the default exchange.
  std::string config(const std::string& url, const std::string& connection_extra) const {
    return config_header("node-tls") +
           "connectors:\n  bus:\n    plugin: rabbitmq\n    url: " + url +
           "\n    connection_name: " + name_ + "\n" + connection_extra +
           "    queues: [{name: " + in_ + "}, {name: " + out_ + "}]\n    consume: [" + in_ +
           "]\n    exchange: \"\"\nroutes:\n  - from: bus\n    to: \"bus:" + out_ + "\"\n";
  }
  // Publishes `count` messages into in_ with the plain-TCP test client and
  // reads them back from out_.
  size_t round_trip(int count) {
    AmqpClient client(amqp_url());
    std::vector<Publish> batch;
    for (int i = 0; i < count; ++i) batch.push_back({"", in_, "m-" + std::to_string(i)});
    client.publish_many(batch);
    return drain(client, out_, count, std::chrono::seconds(30)).size();
  }

  TempDir dir_;
  std::string in_, out_, name_;
  std::unique_ptr<SluiceProcess> sluice_;
};

TEST_F(RabbitTls, AmqpsWithTheTestCa_VerifiedConnectionCarriesMessages) {
  std::string ca = required_env("SLUICE_TEST_AMQP_CA");
  sluice_ = std::make_unique<SluiceProcess>(start_with_config(
      dir_, config(amqps_url_by_name(), "    tls: {ca: \"" + ca + "\", verify: true}\n")));
  expect_ready(*sluice_);
  EXPECT_EQ(round_trip(100), 100u) << sluice_->output();
  // The broker saw a TLS connection, not a plain one.
  EXPECT_EQ(broker_view_of(name_).rfind("true\t", 0), 0u) << broker_view_of(name_);
}

TEST_F(RabbitTls, UntrustedServerCertificate_RefusedWithTheReason) {
  // No `ca`: the system's CAs do not know the test CA, so verification fails.
  sluice_ = std::make_unique<SluiceProcess>(
      start_with_config(dir_, config(amqps_url_by_name(), "    tls: {verify: true}\n")));
  ASSERT_TRUE(sluice_->wait_for_output("SSL peer cert verification failed (no `tls.ca` set",
                                       std::chrono::seconds(30)))
      << sluice_->output();
  EXPECT_EQ(count_occurrences(sluice_->output(), "RabbitMQ connector ready"), 0u)
      << sluice_->output();
  EXPECT_EQ(broker_view_of(name_), "");
}

TEST_F(RabbitTls, IpAddressWithVerification_RefusedWithAHint) {
  std::string ca = required_env("SLUICE_TEST_AMQP_CA");
  sluice_ = std::make_unique<SluiceProcess>(
      start_with_config(dir_, config(required_env("SLUICE_TEST_AMQPS_URL"),
                                     "    tls: {ca: \"" + ca + "\", verify: true}\n")));
  ASSERT_TRUE(sluice_->wait_for_output("put a host name the certificate names in `url`",
                                       std::chrono::seconds(30)))
      << sluice_->output();
}

TEST_F(RabbitTls, VerifyOff_ConnectsWithoutTheCa) {
  sluice_ = std::make_unique<SluiceProcess>(start_with_config(
      dir_, config(required_env("SLUICE_TEST_AMQPS_URL"), "    tls: {verify: false}\n")));
  expect_ready(*sluice_);
  EXPECT_EQ(round_trip(10), 10u) << sluice_->output();
}

TEST_F(RabbitTls, ShortHeartbeat_IdleConnectionSurvives) {
  sluice_ = std::make_unique<SluiceProcess>(
      start_with_config(dir_, config(amqp_url(), "    heartbeat: 1\n")));
  expect_ready(*sluice_);
  std::string before = broker_view_of(name_);
  ASSERT_NE(before, "") << sluice_->output();
  // The negotiated heartbeat is the setting's (the broker offers 60).
  EXPECT_EQ(before.rfind("false\t1\t", 0), 0u) << before;
  // Idle for four heartbeat intervals: RabbitMQ closes a connection after
  // two missed ones, so the same connection (same connected_at) is still
  // there only if the I/O loop sent heartbeats while nothing else flowed.
  std::this_thread::sleep_for(std::chrono::seconds(4));  // the idleness under test
  EXPECT_EQ(broker_view_of(name_), before) << sluice_->output();
  EXPECT_EQ(count_occurrences(sluice_->output(), "RabbitMQ connector ready"), 1u)
      << sluice_->output();
  EXPECT_EQ(round_trip(10), 10u) << sluice_->output();
}

}  // namespace
}  // namespace sluice::test::rabbitmq
