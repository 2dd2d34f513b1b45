// The NATS plugin's settings: declared once, bound to the fields of
// NatsSettings (the table drives validation, the JSON Schema and the README
// table and fills the struct that the rest of the plugin reads).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <sluice/common/reconnect_settings.hpp>
#include <sluice/settings_table.hpp>
#include <sluice/tls_settings.hpp>
#include <string>
#include <utility>
#include <vector>

namespace sluice::nats {

enum class PublishConfirm { kFlush, kNone };

struct JetStreamSettings {
  bool enabled = false;
  std::string stream;
  std::vector<std::string> subjects;  // the stream's subjects (empty: ask the server)
  std::string durable;
  bool pull = true;
  bool create_stream = false;
  bool create_consumer = true;
  std::string filter_subject;
  std::string deliver_policy;  // all | new | last
  bool memory_storage = false;
  int64_t ack_wait_ms = 30000;
  int64_t max_deliver = -1;
  int64_t max_ack_pending = 1000;
  int64_t nak_delay_ms = 1000;
  int batch = 100;
};

// Everything the plugin reads. The table fills it as written; resolved()
// expands `${node_id}` and derives what depends on several settings.
struct NatsSettings {
  std::vector<std::string> urls;
  std::string name;
  int64_t timeout_ms = 2000;
  int max_reconnect = -1;
  common::ReconnectSettings reconnect;
  int reconnect_buffer_bytes = 8 << 20;
  int64_t ping_interval_ms = 20000;
  bool echo = true;
  bool send_asap = false;

  std::string user;
  std::string password;
  std::string token;
  std::string nkey;
  std::string nkey_seed_file;
  std::string creds_file;
  TlsSettings tls;

  std::vector<std::string> subjects;
  std::string queue_group;
  int pending_limit_msgs = 65536;
  int pending_limit_bytes = 64 << 20;
  int64_t busy_wait_ms = 1000;
  boost::json::object jetstream_mapping;  // the `jetstream` setting, read by resolved()
  JetStreamSettings jetstream;

  std::string default_subject;
  bool publish_jetstream = false;
  PublishConfirm publish_confirm = PublishConfirm::kFlush;
  int64_t publish_timeout_ms = 5000;
  int64_t max_pending_publishes = 65536;
  boost::json::object headers_mapping;  // the `headers` setting, read by resolved()
  std::vector<std::pair<std::string, std::string>> headers;
  std::string node_id_header;
  int64_t request_timeout_ms = 5000;
  int64_t drain_timeout_ms = 5000;

  // The settings as the plugin uses them, from validated ones (see
  // validate_settings): `${node_id}` expanded, TLS implied, the `jetstream`
  // and `headers` mappings read.
  NatsSettings resolved(std::string_view node_id) const;
};

const SettingsTable<NatsSettings>& settings_spec();
// The keys of the `jetstream` mapping, validated as a nested table.
const SettingsTable<JetStreamSettings>& jetstream_spec();

// Checks what the table alone cannot: URL syntax, files that must exist,
// subject syntax, the nested `jetstream` mapping. Appends one line per problem.
void validate_settings(const NatsSettings& settings, std::vector<std::string>& errors);

}  // namespace sluice::nats
