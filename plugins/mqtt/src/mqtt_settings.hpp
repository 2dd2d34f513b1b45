// The MQTT plugin's settings: declared once in tables bound to the fields
// of MqttSettings (validation, JSON Schema, README tables). `tls` is a
// mapping and `subscriptions` a list of mappings, each checked against its
// own nested table.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <sluice/common/reconnect_settings.hpp>
#include <sluice/settings_table.hpp>
#include <sluice/tls_settings.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::mqtt {

enum class Protocol { kV311, kV5 };
enum class BufferOverflow { kDropOldest, kReject };

struct Subscription {
  std::string topic;  // a filter: `+`, `#`, `$share/<group>/<filter>`
  int qos = 1;
  // Where the filter came from, named in a refusal: not a setting itself.
  std::string origin = "'subscriptions'";
};

struct MqttSettings {
  std::vector<std::string> urls;
  std::string client_id = "sluice-${node_id}-${connector}";
  Protocol protocol = Protocol::kV5;
  std::string username;
  std::string password;
  boost::json::object tls_mapping;
  TlsSettings tls;
  int keep_alive_s = 30;
  bool clean_session = false;
  int64_t session_expiry_s = 3600;
  int64_t connect_timeout_ms = 5000;
  common::ReconnectSettings reconnect;

  std::string will_topic;
  std::string will_payload = "offline";
  int will_qos = 1;
  bool will_retain = true;
  std::string birth_topic;
  std::string birth_payload = "online";
  int birth_qos = 1;
  bool birth_retain = true;

  boost::json::value subscriptions_value;
  std::vector<Subscription> subscriptions;
  int qos = 1;
  int64_t accept_wait_ms = 100;
  int64_t max_payload_bytes = 1048576;
  std::string dead_letter_topic;

  std::string topic;  // publish: default topic of a message without a subject
  bool retain = false;
  int64_t max_inflight = 1000;
  int64_t max_buffered = 100;
  BufferOverflow buffer_overflow = BufferOverflow::kDropOldest;
  int64_t publish_timeout_ms = 30000;

  std::string response_topic = "sluice/${node_id}/${connector}/replies";
  int64_t request_timeout_ms = 5000;
  int64_t drain_timeout_ms = 5000;

  // The settings as the plugin uses them (after validate_settings): lists
  // read, `${node_id}` and `${connector}` expanded, TLS implied by the URL.
  MqttSettings resolved(std::string_view node_id, std::string_view connector) const;
};

const SettingsTable<MqttSettings>& settings_spec();
const SettingsTable<Subscription>& subscription_spec();

// What the tables alone cannot check: URLs, topic filters and names, the
// v5-only features, files. One line per problem, naming the setting.
void validate_settings(const MqttSettings& settings, std::vector<std::string>& errors);

// Why `filter` is no valid MQTT topic filter (subscribe), or "".
std::string filter_problem(std::string_view filter);
// Why `topic` is no valid MQTT topic name (publish: no wildcards), or "".
std::string topic_problem(std::string_view topic);

// Whether every topic that `filter` matches is also matched by `by` (a
// `$share/<group>/` prefix of `by` is ignored): a route's filter that a
// configured subscription covers is not subscribed twice.
bool filter_covered_by(std::string_view filter, std::string_view by);

// Replaces `${node_id}` and `${connector}` in `text`.
std::string expand_names(std::string_view text, std::string_view node_id,
                         std::string_view connector);

}  // namespace sluice::mqtt
