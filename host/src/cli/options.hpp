// Command-line parsing for the `sluice` executable: the subcommand, its
// flags, and the usage text (which documents the exit codes).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sluice::cli {

enum ExitCode {
  kExitOk = 0,
  kExitRuntimeError = 1,   // failed while running, or messages left unsettled at shutdown
  kExitUsage = 2,          // bad command line
  kExitConfigInvalid = 3,  // the config, a connector's settings or a route is wrong
  kExitPluginErrors = 4,   // a plugin file was refused (`sluice plugins`)
};

struct Options {
  std::string command;  // run, check, test, graph, tap, schema, plugins, version, help
  std::string config_path;
  bool config_given = false;       // -c was on the command line
  std::vector<std::string> files;  // test: the test files named

  bool json = false;
  bool exit_when_done = false;
  std::optional<std::string> log_level;
  std::optional<std::string> log_format;
  // tap
  std::optional<std::string> tap_target;  // CONNECTOR[:PATTERN] or ROUTE
  std::vector<std::string> where;         // "field=value" or a JSON where spec, each
  std::optional<std::string> limit;
  std::optional<std::string> admin;  // host:port, instead of the config's admin.listen
};

// Parses argv. Returns nothing and writes `error` on a usage mistake.
std::optional<Options> parse_options(int argc, char** argv, std::string& error);
std::string usage();
// $SLUICE_CONFIG, else /etc/sluice/sluice.yaml.
std::string default_config_path();

}  // namespace sluice::cli
