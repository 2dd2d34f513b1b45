// admin:, metrics: and logging: — the host's own services. Their keys,
// ranges and choices are declared in host_settings.cpp.
#include "config/config_sections.hpp"
#include "config/host_address.hpp"
#include "config/host_settings.hpp"

namespace sluice::config {
namespace {

std::optional<std::string> address(const ConfigNode& node, std::string_view path,
                                   FieldReader& reader) {
  auto text = reader.string(node, path);
  if (!text) return std::nullopt;
  if (auto problem = host_port_problem(*text)) {
    reader.error(node.where, std::string(path) + ": " + *problem);
    return std::nullopt;
  }
  return text;
}

}  // namespace

void read_admin(const ConfigNode::Entry& entry, AdminConfig& admin, FieldReader& reader) {
  admin.where = entry.key_where;
  const ConfigNode& node = entry.value;
  if (!reader.mapping_or_null(node, "admin")) return;
  const SettingsSpec& spec = admin_settings();
  reader.reject_unknown_keys(node, setting_names(spec), "admin");
  if (const auto* e = node.find("enabled")) {
    if (auto v = reader.boolean(e->value, "admin.enabled")) admin.enabled = *v;
  }
  if (const auto* e = node.find("listen")) {
    if (auto v = address(e->value, "admin.listen", reader)) admin.listen = *v;
  }
  if (const auto* e = node.find("max_connections")) {
    if (auto v =
            reader.integer(e->value, "admin.max_connections", declared(spec, "max_connections")))
      admin.max_connections = *v;
  }
  if (const auto* e = node.find("idle_timeout_ms")) {
    if (auto v =
            reader.integer(e->value, "admin.idle_timeout_ms", declared(spec, "idle_timeout_ms")))
      admin.idle_timeout_ms = *v;
  }
  if (const auto* e = node.find("request_timeout_ms")) {
    if (auto v = reader.integer(e->value, "admin.request_timeout_ms",
                                declared(spec, "request_timeout_ms")))
      admin.request_timeout_ms = *v;
  }
}

void read_metrics(const ConfigNode& node, MetricsConfig& metrics, FieldReader& reader) {
  if (!reader.mapping_or_null(node, "metrics")) return;
  const SettingsSpec& spec = metrics_settings();
  reader.reject_unknown_keys(node, setting_names(spec), "metrics");
  if (const auto* e = node.find("statsd")) {
    // An empty value (statsd: ${STATSD:-}) turns the export off.
    if (e->value.is_scalar() && e->value.text.empty()) {
      metrics.statsd.clear();
    } else if (auto v = address(e->value, "metrics.statsd", reader)) {
      metrics.statsd = *v;
    }
  }
  if (const auto* e = node.find("statsd_interval_ms")) {
    if (auto v = reader.integer(e->value, "metrics.statsd_interval_ms",
                                declared(spec, "statsd_interval_ms"))) {
      metrics.statsd_interval_ms = *v;
    }
  }
  if (const auto* e = node.find("prefix")) {
    if (auto v = reader.string(e->value, "metrics.prefix", true)) metrics.prefix = *v;
  }
}

void read_logging(const ConfigNode& node, LoggingConfig& logging, FieldReader& reader) {
  if (!reader.mapping_or_null(node, "logging")) return;
  const SettingsSpec& spec = logging_settings();
  reader.reject_unknown_keys(node, setting_names(spec), "logging");
  if (const auto* e = node.find("level")) {
    // The logger's own spelling is "warn"; "warning" is too common to refuse.
    if (e->value.is_scalar() && e->value.text == "warning") {
      logging.level = "warn";
    } else if (auto v = reader.choice(e->value, "logging.level", declared(spec, "level"))) {
      logging.level = *v;
    }
  }
  if (const auto* e = node.find("format")) {
    if (auto v = reader.choice(e->value, "logging.format", declared(spec, "format")))
      logging.format = *v;
  }
}

}  // namespace sluice::config
