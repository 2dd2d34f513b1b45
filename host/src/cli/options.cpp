#include "cli/options.hpp"

#include <cstdlib>
#include <string_view>

namespace sluice::cli {

std::string default_config_path() {
  if (const char* env = std::getenv("SLUICE_CONFIG"); env && *env) return env;
  return "/etc/sluice/sluice.yaml";
}

namespace {
// "A, then B": the built-in plugin directories, each once (both are the same
// directory when sluice is installed under /usr/local).
std::string builtin_plugin_dirs() {
  std::string local = SLUICE_LOCAL_PLUGIN_DIR;
  std::string system = SLUICE_SYSTEM_PLUGIN_DIR;
  return system == local ? local : local + ", then " + system;
}
}  // namespace

std::string usage() {
  return R"(sluice - event router: brokers, sources and sinks as plugins, routes in YAML and Lua

Usage:
  sluice run     [-c FILE] [--exit-when-done]   run the pipeline until SIGINT/SIGTERM
  sluice check   [-c FILE]                      validate config, script, routes and every
                                                connector's settings; list every error
  sluice test    [-c FILE] [TEST-FILE...]       run route and handler tests without brokers
                                                (default: every *.test.yaml next to the -c
                                                config, else in the current directory)
  sluice graph   [-c FILE]                      print connectors, routes and handlers as
                                                Graphviz DOT (pipe into dot -Tsvg)
  sluice tap     [TARGET] [--where F=V]... [--limit N] [--admin HOST:PORT]
                                                print the messages of a running sluice
                                                as JSON lines, live (through its admin
                                                server: admin.listen of -c FILE)
  sluice plugins [--json]                       list the plugins found in the plugin path
  sluice schema  [-c FILE]                      print a JSON Schema (draft 2020-12) of
                                                sluice.yaml for editors, with every
                                                installed plugin's settings
  sluice version                                print the version and plugin ABI
  sluice help                                   this text

Options:
  -c, --config FILE     config file (default: $SLUICE_CONFIG, else /etc/sluice/sluice.yaml)
  --log-level LEVEL     trace, debug, info, warn, error, off (overrides the config)
  --log-format FORMAT   text or json (overrides the config)
  --exit-when-done      (run) exit once every source has finished and every message
                        is acknowledged: for batch jobs and benchmarks
  --json                (plugins) machine-readable output with each config schema
  TARGET                (tap) CONNECTOR: what it receives and what is sent to it;
                        CONNECTOR:PATTERN: only those subjects; ROUTE: what the
                        route sends. Default: every message in and out
  --where F=V           (tap) only messages whose field F (payload path, subject,
                        key, header.NAME, ...) equals V; repeatable; or a JSON
                        where spec as in a route, e.g. '{"temp":{"gt":30}}'
  --limit N             (tap) stop after N messages
  --admin HOST:PORT     (tap) the admin server to ask (default: the config's)

Plugins are searched in: the config's plugin_path, then $SLUICE_PLUGIN_PATH
(colon-separated), then )" +
         builtin_plugin_dirs() + R"(.

Signals (run): SIGINT/SIGTERM drain in-flight messages and stop, within
shutdown_timeout_ms (a second signal stops at once); SIGHUP reloads the Lua
script; SIGUSR1 logs a stats snapshot.

Exit codes:
  0  success
  1  runtime failure, or messages left unsettled at shutdown (they will be redelivered):
     also when shutdown outlasted shutdown_timeout_ms or a second signal cut it short;
     (test) a test case failed
  2  bad command line; (test) a test file is broken, or its config cannot run
  3  invalid configuration (check lists every problem found)
  4  a plugin file was refused (plugins)
)";
}

std::optional<Options> parse_options(int argc, char** argv, std::string& error) {
  Options o;
  o.config_path = default_config_path();
  std::vector<std::string_view> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    auto a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) {
        error = std::string(a) + " needs a value";
        return false;
      }
      out = args[++i];
      return true;
    };
    auto optional_value = [&](std::optional<std::string>& out) { return value(out.emplace()); };
    if (a == "-c" || a == "--config") {
      if (!value(o.config_path)) return std::nullopt;
      o.config_given = true;
    } else if (a.rfind("--config=", 0) == 0) {
      o.config_path = a.substr(9);
      o.config_given = true;
    } else if (a == "--log-level") {
      if (!optional_value(o.log_level)) return std::nullopt;
    } else if (a == "--log-format") {
      if (!optional_value(o.log_format)) return std::nullopt;
    } else if (a == "--where") {
      if (!value(o.where.emplace_back())) return std::nullopt;
    } else if (a == "--limit") {
      if (!optional_value(o.limit)) return std::nullopt;
    } else if (a == "--admin") {
      if (!optional_value(o.admin)) return std::nullopt;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--exit-when-done") {
      o.exit_when_done = true;
    } else if (a == "-h" || a == "--help") {
      o.command = "help";
    } else if (a == "--version") {
      o.command = "version";
    } else if (!a.empty() && a[0] == '-') {
      error = "unknown option '" + std::string(a) + "'";
      return std::nullopt;
    } else if (o.command.empty()) {
      o.command = a;
    } else if (o.command == "tap" && !o.tap_target) {
      o.tap_target = a;
    } else if (o.command == "test") {
      o.files.emplace_back(a);
    } else {
      error = "unexpected argument '" + std::string(a) + "'";
      return std::nullopt;
    }
  }
  if (o.command.empty()) o.command = "help";
  static const std::vector<std::string_view> known = {
      "run", "check", "test", "graph", "tap", "schema", "plugins", "version", "help"};
  bool ok = false;
  for (auto k : known) ok = ok || o.command == k;
  if (!ok) {
    error = "unknown command '" + o.command + "'";
    return std::nullopt;
  }
  return o;
}

}  // namespace sluice::cli
