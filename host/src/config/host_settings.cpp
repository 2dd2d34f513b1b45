#include "config/host_settings.hpp"

#include <climits>
#include <stdexcept>
#include <string>

#include "config/config.hpp"

namespace sluice::config {
namespace {

constexpr int kDayMs = 24 * 60 * 60 * 1000;
constexpr int kHourMs = 60 * 60 * 1000;

std::string quoted(const std::string& text) {
  return boost::json::serialize(boost::json::string(text));
}
std::string number(int value) { return std::to_string(value); }
std::string boolean(bool value) { return value ? "true" : "false"; }

}  // namespace

const SettingsSpec& top_level_settings() {
  static const Config defaults;
  static const SettingsSpec spec{
      Setting::string("node_id").doc(
          "names this instance (metrics, broker client ids and groups, ${node_id}); "
          "default: the host name"),
      Setting::list("plugin_path")
          .doc("directories searched for plugins first, relative to this file; then "
               "$SLUICE_PLUGIN_PATH, then the install directories"),
      Setting::string("state_dir")
          .doc("checkpoints; default: $STATE_DIRECTORY, else state/ next to this file"),
      Setting::integer("workers")
          .def(number(defaults.workers))
          .min(0)
          .max(1024)
          .doc("routing threads; 0 = one per core"),
      Setting::integer("queue_capacity")
          .def(number(defaults.queue_capacity))
          .min(1)
          .max(1 << 24)
          .doc("per-worker ingress bound: beyond it sources are paused (backpressure)"),
      Setting::integer("shutdown_timeout_ms")
          .def(number(defaults.shutdown_timeout_ms))
          .min(0)
          .max(kDayMs)
          .doc("SIGTERM waits this long for in-flight messages, then exits"),
      Setting::string("script").doc("Lua routes and handlers, relative to this file"),
      Setting::string("control_subject")
          .doc("connector:subject answering built-in {\"command\":\"status\"|\"version\"} "
               "requests"),
      Setting::object("script_limits").doc("per handler call / per Lua state sandbox bounds"),
      Setting::object("admin").doc("the admin HTTP server: /healthz, /readyz, /metrics, /stats"),
      Setting::object("metrics").doc("StatsD export of the metrics"),
      Setting::object("logging").doc("log level and format"),
      Setting::object("connectors")
          .doc("name -> a configured plugin instance (plugin: <name> and its settings)"),
      Setting::any("routes").doc("native routes: from, where, transform, to, throttle, ..."),
  };
  return spec;
}

const SettingsSpec& admin_settings() {
  static const AdminConfig defaults;
  static const SettingsSpec spec{
      Setting::boolean("enabled").def(boolean(defaults.enabled)).doc("serve the admin HTTP API"),
      Setting::string("listen").def(quoted(defaults.listen)).doc("host:port to listen on"),
      Setting::integer("max_connections")
          .def(number(defaults.max_connections))
          .min(1)
          .max(100000)
          .doc("connections served at once; past it 503, /healthz and /readyz still answered"),
      Setting::integer("idle_timeout_ms")
          .def(number(defaults.idle_timeout_ms))
          .min(1)
          .max(kHourMs)
          .doc("a connection sending no byte of a request for this long is closed"),
      Setting::integer("request_timeout_ms")
          .def(number(defaults.request_timeout_ms))
          .min(1)
          .max(kHourMs)
          .doc("a request not complete this long after its first byte gets 408"),
  };
  return spec;
}

const SettingsSpec& metrics_settings() {
  static const MetricsConfig defaults;
  static const SettingsSpec spec{
      Setting::string("statsd").doc("host:port to push StatsD metrics to; empty = off"),
      Setting::integer("statsd_interval_ms")
          .def(number(defaults.statsd_interval_ms))
          .min(1)
          .max(kDayMs)
          .doc("how often the StatsD export is pushed"),
      Setting::string("prefix").def(quoted(defaults.prefix)).doc("StatsD metric name prefix"),
  };
  return spec;
}

const SettingsSpec& logging_settings() {
  static const LoggingConfig defaults;
  static const SettingsSpec spec{
      Setting::string("level")
          .def(quoted(defaults.level))
          // The reader also takes "warning" for "warn" (too common to refuse);
          // the schema names the one spelling that editors should suggest.
          .one_of({"trace", "debug", "info", "warn", "error", "off"})
          .doc("least severe level logged"),
      Setting::string("format")
          .def(quoted(defaults.format))
          .one_of({"text", "json"})
          .doc("one line of text or one JSON object per event"),
  };
  return spec;
}

const SettingsSpec& script_limits_settings() {
  static const ScriptLimits defaults;
  static const SettingsSpec spec{
      Setting::integer("instructions")
          .def(number(defaults.instructions))
          .min(1000)
          .max(INT_MAX)
          .doc("VM instructions per handler call (and per top-level run)"),
      Setting::integer("memory_mb")
          .def(number(defaults.memory_mb))
          .min(1)
          .max(1 << 20)
          .doc("memory a Lua state may hold, in MiB"),
  };
  return spec;
}

const SettingsSpec& connector_host_settings() {
  static const ConnectorConfig defaults;
  static const SettingsSpec spec{
      Setting::string("plugin").require().doc("which plugin this connector is an instance of"),
      Setting::integer("max_in_flight")
          .def(number(defaults.max_in_flight))
          .min(1)
          .max(10'000'000)
          .doc("unconfirmed publishes to this connector at most (backpressure beyond)"),
      Setting::object("retry").doc("retries of a failed publish, with exponential backoff"),
      Setting::object("circuit_breaker")
          .doc("fail publishes at once after repeated failures (failures: 0 = off)"),
      Setting::string("order")
          .def(quoted(defaults.order))
          .one_of({"subject", "none"})
          .doc("a source's messages without a key: in order per subject (one worker each), or "
               "none (spread over the workers; keyed messages keep their order per key)"),
  };
  return spec;
}

const SettingsSpec& retry_settings() {
  static const RetryPolicy defaults;
  static const SettingsSpec spec{
      Setting::integer("max_attempts")
          .def(number(defaults.max_attempts))
          .min(1)
          .max(1'000'000)
          .doc("publish attempts in all, then dead letter or nack"),
      Setting::integer("initial_backoff_ms")
          .def(number(defaults.initial_backoff_ms))
          .min(0)
          .max(kDayMs)
          .doc("wait before the first retry; doubled each time, with jitter"),
      Setting::integer("max_backoff_ms")
          .def(number(defaults.max_backoff_ms))
          .min(0)
          .max(kDayMs)
          .doc("longest wait between retries (at least initial_backoff_ms)"),
  };
  return spec;
}

const SettingsSpec& circuit_breaker_settings() {
  static const CircuitPolicy defaults;
  static const SettingsSpec spec{
      Setting::integer("failures")
          .def(number(defaults.failures))
          .min(0)
          .max(1'000'000)
          .doc("failed publish attempts in a row that open the circuit; 0 = off"),
      Setting::integer("open_ms")
          .def(number(defaults.open_ms))
          .min(1)
          .max(kDayMs)
          .doc("how long an open circuit fails publishes at once before one probe"),
  };
  return spec;
}

std::vector<std::string_view> setting_names(const SettingsSpec& spec) {
  std::vector<std::string_view> names;
  for (const auto& s : spec.settings()) names.emplace_back(s.name);
  return names;
}

const Setting& declared(const SettingsSpec& spec, std::string_view name) {
  if (const Setting* s = spec.find(name)) return *s;
  throw std::logic_error("host setting '" + std::string(name) + "' is not declared");
}

}  // namespace sluice::config
