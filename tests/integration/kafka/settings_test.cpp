// Settings: validation through the plugin's ABI (what `sluice check` calls)
// and librdkafka's own words for bad properties. The table itself and the
// README are tested in tests/unit/kafka.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "plugin_host.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::kafka {
namespace {

using ::testing::HasSubstr;

std::string config(boost::json::object extra) {
  boost::json::object c{{"brokers", "127.0.0.1:9092"}, {"topics", boost::json::array{"t"}}};
  for (auto& [k, v] : extra) c[k] = v;
  return boost::json::serialize(c);
}

class KafkaSettings : public ::testing::Test {
 protected:
  PluginHost host_;
};

TEST_F(KafkaSettings, AcceptsAMinimalConfig) { EXPECT_EQ(host_.validate(config({})), ""); }

TEST_F(KafkaSettings, AcceptsEverySettingTogether) {
  EXPECT_EQ(host_.validate(config({{"group", "g"},
                                   {"topics", boost::json::array{"a", "^b-.*"}},
                                   {"auto_offset_reset", "latest"},
                                   {"client_id", "me"},
                                   {"sasl_mechanism", "SCRAM-SHA-512"},
                                   {"sasl_username", "u"},
                                   {"sasl_password", "p"},
                                   {"compression", "zstd"},
                                   {"linger_ms", 20},
                                   {"batch_size", 65536},
                                   {"acks", "all"},
                                   {"idempotence", true},
                                   {"properties", {{"session.timeout.ms", 10000}}},
                                   {"default_topic", "out"},
                                   {"dead_letter_topic", "dlq"},
                                   {"max_poll_batch", 100},
                                   {"queue_buffering_max_messages", 1000},
                                   {"statistics_interval_ms", 0}})),
            "");
}

TEST_F(KafkaSettings, RefusesAnUnknownLibrdkafkaPropertyInLibrdkafkasWords) {
  std::string error = host_.validate(config({{"properties", {{"fetch.wait.max.mss", 10}}}}));
  EXPECT_THAT(error, HasSubstr("property 'fetch.wait.max.mss'"));
  EXPECT_THAT(error, HasSubstr("No such configuration property: \"fetch.wait.max.mss\""));
}

TEST_F(KafkaSettings, RefusesAnInvalidLibrdkafkaValue) {
  std::string error = host_.validate(config({{"properties", {{"session.timeout.ms", "soon"}}}}));
  EXPECT_THAT(error, HasSubstr("Invalid value for configuration property \"session.timeout.ms\""));
}

TEST_F(KafkaSettings, RefusesUnknownSettingsWithASuggestion) {
  std::string error = host_.validate(config({{"topic", "x"}}));
  EXPECT_THAT(error, HasSubstr("unknown setting 'topic'; did you mean 'topics'?"));
}

TEST_F(KafkaSettings, RefusesAnUnknownCompression) {
  EXPECT_THAT(host_.validate(config({{"compression", "brotli"}})),
              HasSubstr("expected one of: none, gzip, snappy, lz4, zstd"));
}

TEST_F(KafkaSettings, RefusesAcksOtherThanAllWithIdempotence) {
  EXPECT_THAT(host_.validate(config({{"acks", "1"}})),
              HasSubstr("'acks' must be 'all' while 'idempotence' is true"));
  EXPECT_EQ(host_.validate(config({{"acks", "1"}, {"idempotence", false}})), "");
}

TEST_F(KafkaSettings, LetsLibrdkafkaJudgeCombinationsOfProperties) {
  // Only librdkafka knows this rule; its message comes through.
  std::string error = host_.validate(config({{"properties", {{"acks", "1"}}}}));
  EXPECT_THAT(error, HasSubstr("producer configuration:"));
  EXPECT_THAT(error, HasSubstr("acks"));
}

TEST_F(KafkaSettings, RefusesPropertiesThatSluiceManages) {
  EXPECT_THAT(host_.validate(config({{"properties", {{"enable.auto.commit", false}}}})),
              HasSubstr("'enable.auto.commit' is managed by sluice"));
  EXPECT_THAT(host_.validate(config({{"properties", {{"group.id", "x"}}}})),
              HasSubstr("use the setting `group`"));
}

TEST_F(KafkaSettings, NeedsCredentialsWithASaslMechanism) {
  EXPECT_THAT(host_.validate(config({{"sasl_mechanism", "PLAIN"}})),
              HasSubstr("'sasl_mechanism' needs 'sasl_username' and 'sasl_password'"));
  EXPECT_THAT(host_.validate(config({{"sasl_username", "u"}, {"sasl_password", "p"}})),
              HasSubstr("need 'sasl_mechanism'"));
}

TEST_F(KafkaSettings, RefusesAMissingTlsFile) {
  std::string error = host_.validate(config({{"tls_ca", "/nonexistent/ca.pem"}}));
  EXPECT_THAT(error, HasSubstr("configuration:"));
  EXPECT_THAT(error, HasSubstr("ssl.ca.location"));
}

TEST_F(KafkaSettings, RequiresBrokers) {
  EXPECT_THAT(host_.validate(R"({"topics": ["t"]})"),
              HasSubstr("missing required setting 'brokers'"));
}

TEST_F(KafkaSettings, NeverEchoesTheSaslPassword) {
  std::string error = host_.validate(
      config({{"sasl_mechanism", "PLAIN"}, {"sasl_password", "hunter2"}, {"linger_ms", -1}}));
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
}

}  // namespace
}  // namespace sluice::test::kafka
