// The Kafka connector's settings, declared once and bound to KafkaSettings,
// and their translation into
// librdkafka configuration for the consumer and the producer. `sluice check`
// applies every resulting property to a real librdkafka configuration, so a
// misspelt or invalid property is refused with librdkafka's own words.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <sluice/settings_table.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rdkafka_handles.hpp"

namespace sluice::kafka {

struct KafkaSettings {
  std::vector<std::string> brokers;
  std::string group;
  std::vector<std::string> topics;
  std::string auto_offset_reset;  // earliest | latest
  std::optional<std::string> client_id;
  std::optional<std::string> sasl_mechanism;
  std::optional<std::string> sasl_username;
  std::optional<std::string> sasl_password;
  bool tls = false;
  std::optional<std::string> tls_ca;
  std::optional<std::string> tls_cert;
  std::optional<std::string> tls_key;
  std::string compression;
  int64_t linger_ms = 0;
  int64_t batch_size = 0;
  std::string acks;  // all | 1 | 0
  bool idempotence = true;
  boost::json::object properties;  // librdkafka property -> value, passed as is
  std::string default_topic;
  std::string dead_letter_topic;
  uint32_t max_poll_batch = 0;
  int64_t queue_buffering_max_messages = 0;
  int64_t statistics_interval_ms = 0;
  int64_t commit_interval_ms = 0;
  std::chrono::milliseconds redelivery_delay{0};
  std::chrono::milliseconds revoke_timeout{0};
};

const SettingsTable<KafkaSettings>& settings();

enum class Role { kConsumer, kProducer };

using Properties = std::vector<std::pair<std::string, std::string>>;

// librdkafka properties for one client, derived from the settings, in the
// order they are applied: the user's `properties` map comes last and wins.
// `client_id` falls back to `node_id`.
Properties client_properties(const KafkaSettings& settings, Role role, std::string_view node_id);

// A new rd_kafka_conf_t with `properties` applied. On the first property
// librdkafka refuses, returns nullptr and sets `error` to
// "property 'name': <librdkafka's message>".
ConfPtr make_conf(const Properties& properties, std::string& error);

// Checks what the settings table cannot: combinations, the `properties`
// map, and every property against librdkafka itself (without connecting).
void validate_settings(const KafkaSettings& settings, std::vector<std::string>& errors);

// 'C' consumer, 'P' producer, '*' both, or '\0' when librdkafka does not
// know the property, as librdkafka's own property table says.
char property_role(std::string_view name);

}  // namespace sluice::kafka
