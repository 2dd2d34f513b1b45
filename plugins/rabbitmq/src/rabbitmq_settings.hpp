// The RabbitMQ plugin's settings: declared once in tables bound to the
// fields of RabbitSettings (validation, JSON Schema, README tables). The
// topology (`exchanges`, `queues`, `bindings`) and `tls` are lists/mappings
// of objects, each item checked against its own nested table.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <sluice/common/reconnect_settings.hpp>
#include <sluice/settings_table.hpp>
#include <sluice/tls_settings.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::rabbitmq {

enum class AckMode { kManual, kAuto };
enum class NackAction { kRequeue, kDeadLetter };

struct ExchangeSettings {
  std::string name;
  std::string type = "direct";
  bool durable = true;
  bool auto_delete = false;
  bool internal = false;
  boost::json::object arguments;
};

struct QueueSettings {
  std::string name;
  bool durable = true;
  bool exclusive = false;
  bool auto_delete = false;
  std::string type = "classic";
  std::optional<int64_t> max_priority;
  std::optional<int64_t> message_ttl_ms;
  std::optional<int64_t> max_length;
  std::optional<std::string> dead_letter_exchange;
  std::optional<std::string> dead_letter_routing_key;
  boost::json::object arguments;

  // `arguments` with the typed settings above merged in (x-max-priority, ...).
  boost::json::object all_arguments() const;
};

struct BindingSettings {
  std::string queue;
  std::string exchange;
  std::string routing_key;
  boost::json::object arguments;  // headers exchanges: x-match and the headers
};

struct RabbitSettings {
  std::vector<std::string> urls;
  std::string vhost;  // empty: the URL's
  std::string user;   // empty: the URL's
  std::string password;
  int heartbeat_s = 30;
  std::string connection_name = "sluice-${node_id}";
  int64_t connect_timeout_ms = 5000;
  boost::json::object tls_mapping;
  TlsSettings tls;
  common::ReconnectSettings reconnect;

  boost::json::value exchanges_value;  // read by resolved()
  boost::json::value queues_value;
  boost::json::value bindings_value;
  std::vector<ExchangeSettings> exchanges;
  std::vector<QueueSettings> queues;
  std::vector<BindingSettings> bindings;
  bool passive = false;

  std::vector<std::string> consume;
  int prefetch = 100;
  AckMode ack_mode = AckMode::kManual;
  NackAction nack = NackAction::kRequeue;
  int64_t redelivery_limit = 0;

  std::string exchange;  // publish
  std::string routing_key;
  bool mandatory = false;
  bool persistent = true;
  bool confirm = true;
  int64_t max_pending_publishes = 65536;
  int64_t publish_timeout_ms = 30000;
  std::string node_id_header = "sluice-node";
  int64_t request_timeout_ms = 5000;
  int64_t drain_timeout_ms = 5000;

  // The settings as the plugin uses them (after validate_settings): nested
  // lists read, `${node_id}` expanded, TLS implied by amqps:// or files.
  RabbitSettings resolved(std::string_view node_id) const;
};

const SettingsTable<RabbitSettings>& settings_spec();
const SettingsTable<ExchangeSettings>& exchange_spec();
const SettingsTable<QueueSettings>& queue_spec();
const SettingsTable<BindingSettings>& binding_spec();

// What the tables alone cannot check: URLs, the nested lists, argument
// types, references between queues, bindings and `consume`. One line per problem.
void validate_settings(const RabbitSettings& settings, std::vector<std::string>& errors);

// Why a queue/exchange `arguments` value has the wrong type for a
// well-known x-argument, or nullopt.
std::optional<std::string> argument_problem(std::string_view name, const boost::json::value& v);

// Replaces every `${node_id}` in `text` with `node_id`.
std::string expand_node_id(std::string_view text, std::string_view node_id);

}  // namespace sluice::rabbitmq
