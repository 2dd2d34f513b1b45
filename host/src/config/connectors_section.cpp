// connectors: — named plugin instances. The host keeps its reserved keys
// (plugin, max_in_flight, retry, circuit_breaker, order) and hands every other key to the plugin as
// JSON; the plugin's own SettingsSpec validates those.
#include <sluice/common/did_you_mean.hpp>

#include "config/config_sections.hpp"
#include "config/host_settings.hpp"
#include "config/scalar_typing.hpp"

namespace sluice::config {
namespace {

bool is_connector_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void read_retry(const ConfigNode& node, const std::string& path, RetryPolicy& retry,
                FieldReader& reader) {
  if (!reader.mapping_or_null(node, path)) return;
  const SettingsSpec& spec = retry_settings();
  reader.reject_unknown_keys(node, setting_names(spec), path);
  if (const auto* e = node.find("max_attempts")) {
    if (auto v = reader.integer(e->value, path + ".max_attempts", declared(spec, "max_attempts"))) {
      retry.max_attempts = *v;
    }
  }
  if (const auto* e = node.find("initial_backoff_ms")) {
    if (auto v = reader.integer(e->value, path + ".initial_backoff_ms",
                                declared(spec, "initial_backoff_ms"))) {
      retry.initial_backoff_ms = *v;
    }
  }
  if (const auto* e = node.find("max_backoff_ms")) {
    if (auto v =
            reader.integer(e->value, path + ".max_backoff_ms", declared(spec, "max_backoff_ms"))) {
      if (*v < retry.initial_backoff_ms) {
        reader.error(e->value.where, path + ".max_backoff_ms: " + std::to_string(*v) +
                                         " is below initial_backoff_ms (" +
                                         std::to_string(retry.initial_backoff_ms) + ")");
      } else {
        retry.max_backoff_ms = *v;
      }
    }
  }
}

void read_circuit(const ConfigNode& node, const std::string& path, CircuitPolicy& circuit,
                  FieldReader& reader) {
  if (!reader.mapping_or_null(node, path)) return;
  const SettingsSpec& spec = circuit_breaker_settings();
  reader.reject_unknown_keys(node, setting_names(spec), path);
  if (const auto* e = node.find("failures")) {
    if (auto v = reader.integer(e->value, path + ".failures", declared(spec, "failures")))
      circuit.failures = *v;
  }
  if (const auto* e = node.find("open_ms")) {
    if (auto v = reader.integer(e->value, path + ".open_ms", declared(spec, "open_ms")))
      circuit.open_ms = *v;
  }
}

// `plugin:` is missing: point at a key that looks like a misspelling of it.
std::string misspelt_plugin_hint(const ConfigNode& node) {
  for (const auto& entry : node.entries) {
    if (common::closest_match(entry.key, {"plugin"})) {
      return "; is '" + entry.key + "' (at " + entry.key_where.str() + ") meant to be 'plugin'?";
    }
  }
  return "";
}

ConnectorConfig read_connector(const ConfigNode::Entry& entry, FieldReader& reader) {
  ConnectorConfig c;
  c.name = entry.key;
  c.where = entry.key_where;
  c.settings_json = "{}";
  std::string path = "connectors." + c.name;
  if (!is_connector_name(c.name)) {
    reader.error(entry.key_where,
                 "connector name '" + c.name + "' may only hold letters, digits, '_' and '-'");
  }
  const ConfigNode& node = entry.value;
  if (!node.is_mapping()) {
    reader.error(node.where, path + ": expected a mapping with at least 'plugin: <name>', got " +
                                 describe(node));
    return c;
  }
  boost::json::object settings;
  for (const auto& setting : node.entries) {
    if (setting.key == "plugin") {
      if (setting.value.is_null()) {
        // The most likely null here is the null plugin written bare.
        reader.error(setting.value.where,
                     path +
                         ".plugin: is YAML's null (bare null, ~ or nothing); to use the null "
                         "plugin, quote it: plugin: \"null\"");
      } else if (auto v = reader.string(setting.value, path + ".plugin")) {
        c.plugin = *v;
      }
    } else if (setting.key == "max_in_flight") {
      if (auto v = reader.integer(setting.value, path + ".max_in_flight",
                                  declared(connector_host_settings(), "max_in_flight"))) {
        c.max_in_flight = *v;
      }
    } else if (setting.key == "retry") {
      read_retry(setting.value, path + ".retry", c.retry, reader);
    } else if (setting.key == "circuit_breaker") {
      read_circuit(setting.value, path + ".circuit_breaker", c.circuit, reader);
    } else if (setting.key == "order") {
      if (auto v = reader.choice(setting.value, path + ".order",
                                 declared(connector_host_settings(), "order")))
        c.order = *v;
    } else {
      settings[setting.key] = to_json(setting.value, reader.errors());
      c.setting_locations[setting.key] = setting.key_where;
    }
  }
  if (!node.find("plugin")) {
    reader.error(entry.key_where, "connector '" + c.name +
                                      "' has no 'plugin' key (which plugin it is an instance "
                                      "of, e.g. plugin: kafka)" +
                                      misspelt_plugin_hint(node));
  }
  c.settings_json = boost::json::serialize(settings);
  return c;
}

}  // namespace

std::vector<ConnectorConfig> read_connectors(const ConfigNode& node, FieldReader& reader) {
  std::vector<ConnectorConfig> out;
  if (!reader.mapping_or_null(node, "connectors")) return out;
  for (const auto& entry : node.entries) out.push_back(read_connector(entry, reader));
  return out;
}

}  // namespace sluice::config
