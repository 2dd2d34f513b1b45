// The Redis plugin's settings: declared once in a table bound to the fields
// of RedisSettings (validation, JSON Schema, README table).
#pragma once

#include <cstdint>
#include <sluice/common/reconnect_settings.hpp>
#include <sluice/settings_table.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "redis_url.hpp"

namespace sluice::redis {

enum class EntryFormat { kFields, kJson };
enum class ListMode { kReliable, kAtMostOnce };
enum class SinkMode { kPublish, kXadd, kLpush, kRpush, kSet, kHset };

struct RedisSettings {
  std::string url = "redis://127.0.0.1:6379/0";
  std::string user;
  std::string password;
  int db = -1;
  std::string client_name = "sluice-${node_id}";
  int64_t connect_timeout_ms = 5000;
  int64_t command_timeout_ms = 5000;
  common::ReconnectSettings reconnect;
  std::vector<std::string> sentinels;
  std::string master_name;
  std::string sentinel_password;
  bool cluster = false;
  std::vector<std::string> cluster_seeds;

  std::vector<std::string> channels;
  std::vector<std::string> patterns;
  std::vector<std::string> requests;
  int64_t request_timeout_ms = 5000;

  std::vector<std::string> streams;
  std::string group = "sluice";
  std::string consumer = "${node_id}";
  bool create_group = true;
  std::string group_start_id = "$";
  int64_t read_count = 100;
  int64_t block_ms = 1000;
  int64_t claim_idle_ms = 30000;
  int64_t claim_interval_ms = 5000;
  int64_t max_deliveries = 0;
  std::string dead_letter_stream = "${stream}:dead";
  EntryFormat entry_format = EntryFormat::kFields;
  std::string payload_field = "payload";

  std::vector<std::string> lists;
  ListMode list_mode = ListMode::kReliable;
  std::string processing_list = "${list}:processing:${consumer}";

  int64_t max_in_flight = 1000;
  int64_t max_buffered = 10000;

  SinkMode sink = SinkMode::kPublish;
  std::string target;
  int64_t stream_maxlen = 0;
  int64_t stream_max_age_ms = 0;
  int64_t ttl_ms = 0;
  int64_t max_pending_commands = 65536;
  int64_t drain_timeout_ms = 5000;

  // After validate_settings: the URL read, user/password/db applied,
  // `${node_id}` expanded.
  RedisEndpoint endpoint;
  RedisSettings resolved(std::string_view node_id) const;
  // Per stream or list: the dead-letter stream / processing list name.
  std::string dead_letter_for(std::string_view stream) const;
  std::string processing_for(std::string_view list) const;
};

const SettingsTable<RedisSettings>& settings_spec();

// What the table alone cannot check: the URL, TLS, names, relations.
void validate_settings(const RedisSettings& settings, std::vector<std::string>& errors);

// Replaces every `${name}` in `text` with `value`.
std::string expand(std::string_view text, std::string_view name, std::string_view value);

}  // namespace sluice::redis
