// AMQP URLs as rabbitmq-c's amqp_parse_url reads them, and their redaction.
#include <gtest/gtest.h>

#include "amqp_url.hpp"

namespace sluice::rabbitmq {
namespace {

TEST(AmqpUrl, ReadsEveryPart) {
  AmqpEndpoint ep;
  ASSERT_FALSE(parse_amqp_url("amqp://alice:secret@broker:5673/prod", ep));
  EXPECT_EQ(ep.user, "alice");
  EXPECT_EQ(ep.password, "secret");
  EXPECT_EQ(ep.host, "broker");
  EXPECT_EQ(ep.port, 5673);
  EXPECT_EQ(ep.vhost, "prod");
  EXPECT_FALSE(ep.tls);
}

TEST(AmqpUrl, DefaultsAndTls) {
  AmqpEndpoint ep;
  ASSERT_FALSE(parse_amqp_url("amqps://broker", ep));
  EXPECT_TRUE(ep.tls);
  EXPECT_EQ(ep.port, 5671);
  EXPECT_EQ(ep.user, "guest");
  EXPECT_EQ(ep.vhost, "/");
  ASSERT_FALSE(parse_amqp_url("amqp://guest:guest@127.0.0.1:15673/", ep));
  EXPECT_EQ(ep.vhost, "/");  // a trailing slash means the default vhost here
  ASSERT_FALSE(parse_amqp_url("amqp://h/%2f", ep));
  EXPECT_EQ(ep.vhost, "/");
}

TEST(AmqpUrl, RefusesWhatIsNotAnAmqpUrl) {
  AmqpEndpoint ep;
  EXPECT_TRUE(parse_amqp_url("", ep));
  EXPECT_TRUE(parse_amqp_url("nats://h:4222", ep));
  EXPECT_TRUE(parse_amqp_url("amqp://h:99999999", ep));
  EXPECT_TRUE(parse_amqp_url("amqp://h:port", ep));
}

TEST(AmqpUrl, ErrorsAndRedactionHideThePassword) {
  AmqpEndpoint ep;
  auto problem = parse_amqp_url("amqp://u:topsecret@h:bad", ep);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->find("topsecret"), std::string::npos) << *problem;
  EXPECT_EQ(redact_url("amqp://u:pw@h:1/v"), "amqp://u:***@h:1/v");
  EXPECT_EQ(redact_url("amqp://h:1/v"), "amqp://h:1/v");
  EXPECT_EQ(redact_url("amqp://u@h"), "amqp://u@h");
}

}  // namespace
}  // namespace sluice::rabbitmq
