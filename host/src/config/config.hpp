// The host's configuration: what `sluice.yaml` says, read and checked once at
// start (and by `sluice check`). Every mistake a user can make is reported
// with file:line:col, all of them at once, never as an exception.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"

namespace sluice::config {

// Where a sink's failed publish is retried before dead-lettering or nacking.
struct RetryPolicy {
  int max_attempts = 5;
  int initial_backoff_ms = 100;
  int max_backoff_ms = 10000;
};

// A sink connector's circuit breaker (`circuit_breaker: {failures, open_ms}`):
// after `failures` failed publish attempts in a row, publishes fail at once
// for `open_ms`, then one probe decides. `failures: 0` (the default): off.
struct CircuitPolicy {
  int failures = 0;
  int open_ms = 10000;
};

// One entry of `connectors:`: a named instance of a plugin.
struct ConnectorConfig {
  std::string name;
  std::string plugin;
  std::string settings_json;  // every key but the host-reserved ones, as a JSON object text
  int max_in_flight = 10000;  // host-reserved: cap on unconfirmed publishes to this connector
  RetryPolicy retry;          // host-reserved `retry: {max_attempts, initial_backoff_ms, ...}`
  CircuitPolicy circuit;      // host-reserved `circuit_breaker: {failures, open_ms}`
  // host-reserved `order`: "subject" keeps a source's keyless messages in
  // order per subject (one worker per subject); "none" spreads them over
  // the workers. Keyed messages keep their order per key either way.
  std::string order = "subject";
  SourceLocation where;                                     // of the connector's key
  std::map<std::string, SourceLocation> setting_locations;  // per plugin setting key
};

// One entry of `routes:`. The route engine compiles `spec`; the loader only
// checks its shape and that the connectors it names exist.
struct RouteConfig {
  std::string name;          // "" when the user gave none
  boost::json::object spec;  // the whole entry: from, where, to, throttle, ... as JSON
  SourceLocation where;      // of the entry (its first key)
  // Keys of the entry and of mappings nested in it, as paths ("throttle",
  // "throttle.rate", "to[1]" for list items), so the route compiler can point
  // at the exact line of a bad value.
  std::map<std::string, SourceLocation> key_locations;
};

struct AdminConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1:9600";
  int max_connections = 128;      // served at once; past it 503, probes still answered
  int idle_timeout_ms = 5000;     // no request byte for this long: connection closed
  int request_timeout_ms = 5000;  // request incomplete this long after its first byte: 408
  SourceLocation where;           // of the `admin` key ("" file when absent)
};

struct MetricsConfig {
  std::string statsd;  // host:port, "" = no StatsD export
  int statsd_interval_ms = 10000;
  std::string prefix = "sluice";
};

struct LoggingConfig {
  std::string level = "info";   // trace, debug, info, warn, error, off
  std::string format = "text";  // text, json
};

// Per Lua state sandbox bounds (`script_limits:`).
struct ScriptLimits {
  int instructions = 1'000'000;  // VM instructions per handler call (and per top-level run)
  int memory_mb = 64;            // bytes a state may hold, in MiB
};

struct Config {
  std::string path;     // the file it was read from
  std::string node_id;  // default: the hostname
  std::vector<std::string>
      plugin_path;            // absolute; relative entries resolved against the file's dir
  std::string state_dir;      // default: $STATE_DIRECTORY if set, else "state" next to the config
  int workers = 0;            // 0 = hardware cores
  int queue_capacity = 8192;  // per worker ingress bound
  int shutdown_timeout_ms = 30000;
  std::string script;           // Lua file (absolute), resolved against the config's dir; "" = none
  std::string control_subject;  // "connector:subject" for built-in status/version requests
  ScriptLimits script_limits;
  AdminConfig admin;
  MetricsConfig metrics;
  LoggingConfig logging;
  std::vector<ConnectorConfig> connectors;
  std::vector<RouteConfig> routes;
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

// The process environment (std::getenv).
std::optional<std::string> process_env(std::string_view name);

// Reads and validates a config file. Never throws for user mistakes: every
// problem found goes into `errors` (all of them, not only the first, sorted by
// line), each with file:line:col. Returns the config (possibly partial):
// callers check errors.empty().
Config load_config(const std::string& path, std::vector<Diagnostic>& errors);

// The same for text already in memory. `display_name` is the file name used in
// diagnostics and Config::path; relative paths in the config are resolved
// against its directory. `getenv` serves ${VAR} interpolation, the
// STATE_DIRECTORY default and nothing else.
Config load_config_text(std::string_view yaml_text, const std::string& display_name,
                        std::vector<Diagnostic>& errors, const EnvLookup& getenv = process_env);

}  // namespace sluice::config
