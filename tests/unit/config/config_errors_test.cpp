// Every kind of mistake a user can make in sluice.yaml, each reported with
// the exact file:line:col and a message that says what to fix.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config_test_util.hpp"
#include "support/sluice_test.hpp"

namespace sluice::config {
namespace {

using testing::load_yaml;
using testing::yaml_lines;
using Strings = std::vector<std::string>;

TEST(ConfigLoader, ReportsYamlSyntaxErrorWithLineAndColumn) {
  auto loaded = load_yaml(yaml_lines({
      "workers: 2",
      "routes: [a, b",
      "admin: {}",
  }));
  EXPECT_EQ(loaded.errors(),
            Strings{"cfg.yaml:3:6: YAML syntax error: end of sequence flow not found"});
}

// yaml-cpp 0.7 loops forever, allocating, on this (found by fuzzing the
// loader; jbeder/yaml-cpp#1040): `sluice check` hung until memory ran out.
TEST(ConfigLoader, InputTheYamlParserCannotGetPastIsAnErrorNotAHang) {
  auto loaded = load_yaml("\n,\n    ");
  EXPECT_EQ(loaded.errors(),
            Strings{"cfg.yaml:2:1: YAML syntax error: the YAML parser cannot get past this point "
                    "(a stray character such as ',' where a value or key should start?)"});
}

TEST(ConfigLoader, SyntaxErrorOnAnUnquotedVariableInFlowStyleSaysToQuoteIt) {
  auto loaded = load_yaml("admin: { listen: ${ADDR}, enabled: true }\n");
  ASSERT_EQ(loaded.errors().size(), 1u);
  EXPECT_NE(loaded.errors()[0].find("must be quoted: \"${VAR}\""), std::string::npos)
      << loaded.errors()[0];
}

TEST(ConfigLoader, ReportsUnknownKeyWithLineAndColumn) {
  auto loaded = load_yaml(yaml_lines({
      "node_id: a",
      "worker: 2",
  }));
  EXPECT_EQ(
      loaded.errors(),
      Strings{"cfg.yaml:2:1: unknown key 'worker' at the top level; did you mean 'workers'?"});
}

TEST(ConfigLoader, ListsAllowedKeysWhenNoneIsClose) {
  auto loaded = load_yaml(yaml_lines({
      "admin:",
      "  port: 9600",
  }));
  EXPECT_EQ(loaded.errors(),
            Strings{"cfg.yaml:2:3: unknown key 'port' in admin (allowed: enabled, listen, "
                    "max_connections, idle_timeout_ms, request_timeout_ms)"});
}

TEST(ConfigLoader, ReadsAdminConnectionLimitsAndReportsOutOfRangeOnes) {
  auto good = load_yaml(yaml_lines({
      "admin:",
      "  max_connections: 16",
      "  idle_timeout_ms: 250",
      "  request_timeout_ms: 750",
  }));
  ASSERT_EQ(good.errors(), Strings{});
  EXPECT_EQ(good.config.admin.max_connections, 16);
  EXPECT_EQ(good.config.admin.idle_timeout_ms, 250);
  EXPECT_EQ(good.config.admin.request_timeout_ms, 750);
  auto defaults = load_yaml("admin: {}\n");
  EXPECT_EQ(defaults.config.admin.max_connections, 128);
  EXPECT_EQ(defaults.config.admin.idle_timeout_ms, 5000);
  EXPECT_EQ(defaults.config.admin.request_timeout_ms, 5000);

  auto bad = load_yaml(yaml_lines({
      "admin:",
      "  max_connections: 0",
      "  idle_timeout_ms: -5",
      "  request_timeout_ms: soon",
  }));
  EXPECT_EQ(
      bad.errors(),
      (Strings{
          "cfg.yaml:2:20: admin.max_connections: 0 is out of range (1 to 100000)",
          "cfg.yaml:3:20: admin.idle_timeout_ms: -5 is out of range (1 to 3600000)",
          "cfg.yaml:4:23: admin.request_timeout_ms: expected an integer, got the string \"soon\"",
      }));
}

TEST(ConfigLoader, ReportsUnknownKeysInAdminMetricsLoggingRetryAndRoutes) {
  auto loaded = load_yaml(yaml_lines({
      "admin: { listn: 127.0.0.1:9600 }",                   // 1
      "metrics:",                                           // 2
      "  statsd_interval: 1000",                            // 3
      "logging:",                                           // 4
      "  levle: debug",                                     // 5
      "connectors:",                                        // 6
      "  a: { plugin: stdio, retry: { max_attempt: 3 } }",  // 7
      "routes:",                                            // 8
      "  - from: a",                                        // 9
      "    to: a",                                          // 10
      "    thrtotle: { rate: 1 }",                          // 11
  }));
  EXPECT_EQ(loaded.errors(),
            (Strings{
                "cfg.yaml:1:10: unknown key 'listn' in admin; did you mean 'listen'?",
                "cfg.yaml:3:3: unknown key 'statsd_interval' in metrics; did you mean "
                "'statsd_interval_ms'?",
                "cfg.yaml:5:3: unknown key 'levle' in logging; did you mean 'level'?",
                "cfg.yaml:7:32: unknown key 'max_attempt' in connectors.a.retry; did you mean "
                "'max_attempts'?",
                "cfg.yaml:11:5: unknown key 'thrtotle' in routes[0]; did you mean 'throttle'?",
            }));
}

TEST(ConfigLoader, ReportsStringWhereIntegerIsExpected) {
  auto loaded = load_yaml(yaml_lines({
      "workers: two",
      "queue_capacity: 2.5",
  }));
  EXPECT_EQ(loaded.errors(),
            (Strings{
                "cfg.yaml:1:10: workers: expected an integer, got the string \"two\"",
                "cfg.yaml:2:17: queue_capacity: expected an integer, got the number 2.5",
            }));
}

TEST(ConfigLoader, QuotedNumberForAnIntegerSaysToRemoveTheQuotes) {
  auto loaded = load_yaml("workers: \"2\"\n");
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:1:10: workers: expected an integer (remove the "
                                     "quotes), got the quoted string \"2\""});
}

TEST(ConfigLoader, ReportsListWhereMappingIsExpected) {
  auto loaded = load_yaml(yaml_lines({
      "admin:",
      "  - enabled",
      "connectors: [a, b]",
  }));
  EXPECT_EQ(loaded.errors(), (Strings{
                                 "cfg.yaml:2:3: admin: expected a mapping, got a list",
                                 "cfg.yaml:3:13: connectors: expected a mapping, got a list",
                             }));
}

TEST(ConfigLoader, ReportsMappingWhereStringIsExpected) {
  auto loaded = load_yaml("node_id: { a: 1 }\n");
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:1:10: node_id: expected a string, got a mapping"});
}

TEST(ConfigLoader, ReportsBooleanWhereBooleanIsExpectedButYesIsGiven) {
  // YAML 1.2: only true/false are booleans; "yes" is a string.
  auto loaded = load_yaml("admin: { enabled: yes }\n");
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:1:19: admin.enabled: expected true or false, got "
                                     "the string \"yes\""});
}

TEST(ConfigLoader, ReportsMissingPluginKey) {
  auto loaded = load_yaml(yaml_lines({
      "connectors:",
      "  out:",
      "    path: /tmp/x",
  }));
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:2:3: connector 'out' has no 'plugin' key (which "
                                     "plugin it is an instance of, e.g. plugin: kafka)"});
}

TEST(ConfigLoader, MissingPluginKeyPointsAtAMisspelling) {
  auto loaded = load_yaml(yaml_lines({
      "connectors:",
      "  out:",
      "    plugn: file",
  }));
  EXPECT_EQ(loaded.errors(),
            Strings{"cfg.yaml:2:3: connector 'out' has no 'plugin' key (which plugin it is an "
                    "instance of, e.g. plugin: kafka); is 'plugn' (at cfg.yaml:3:5) meant to be "
                    "'plugin'?"});
}

TEST(ConfigLoader, ReportsConnectorThatIsNotAMapping) {
  auto loaded = load_yaml(yaml_lines({
      "connectors:",
      "  out: file",
      "  in:",
  }));
  EXPECT_EQ(loaded.errors(),
            (Strings{
                "cfg.yaml:2:8: connectors.out: expected a mapping with at least 'plugin: <name>', "
                "got the string \"file\"",
                "cfg.yaml:3:3: connectors.in: expected a mapping with at least 'plugin: <name>', "
                "got nothing (null)",
            }));
}

TEST(ConfigLoader, ReportsDuplicateConnectorName) {
  auto loaded = load_yaml(yaml_lines({
      "connectors:",
      "  out:",
      "    plugin: file",
      "  out:",
      "    plugin: stdio",
  }));
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:4:3: duplicate connector name 'out' in connectors "
                                     "(first defined at cfg.yaml:2:3)"});
  ASSERT_EQ(loaded.config.connectors.size(), 1u);
  EXPECT_EQ(loaded.config.connectors[0].plugin, "file");
}

TEST(ConfigLoader, ReportsDuplicateKeyAnywhere) {
  auto loaded = load_yaml(yaml_lines({
      "workers: 1",
      "connectors:",
      "  out:",
      "    plugin: file",
      "    path: /a",
      "    path: /b",
      "workers: 2",
  }));
  EXPECT_EQ(loaded.errors(),
            (Strings{
                "cfg.yaml:6:5: duplicate key 'path' in connectors.out (first defined at "
                "cfg.yaml:5:5)",
                "cfg.yaml:7:1: duplicate key 'workers' (first defined at cfg.yaml:1:1)",
            }));
}

TEST(ConfigLoader, ReportsInvalidConnectorName) {
  auto loaded = load_yaml(yaml_lines({
      "connectors:",
      "  \"my out\": { plugin: file }",
      "  ok_name-2: { plugin: file }",
  }));
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:2:3: connector name 'my out' may only hold "
                                     "letters, digits, '_' and '-'"});
}

TEST(ConfigLoader, ReportsNegativeWorkers) {
  auto loaded = load_yaml("workers: -1\n");
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:1:10: workers: -1 is out of range (0 to 1024)"});
}

TEST(ConfigLoader, ReportsOutOfRangeValues) {
  auto loaded = load_yaml(yaml_lines({
      "queue_capacity: 0",
      "shutdown_timeout_ms: 99999999999",
      "connectors:",
      "  out: { plugin: file, max_in_flight: 0 }",
  }));
  EXPECT_EQ(loaded.errors(),
            (Strings{
                "cfg.yaml:1:17: queue_capacity: 0 is out of range (1 to 16777216)",
                "cfg.yaml:2:22: shutdown_timeout_ms: 99999999999 is out of range (0 to 86400000)",
                "cfg.yaml:4:39: connectors.out.max_in_flight: 0 is out of range (1 to 10000000)",
            }));
}

TEST(ConfigLoader, ReportsRetryBackoffBelowInitial) {
  auto loaded = load_yaml(yaml_lines({
      "connectors:",
      "  out:",
      "    plugin: file",
      "    retry: { initial_backoff_ms: 500, max_backoff_ms: 100 }",
  }));
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:4:55: connectors.out.retry.max_backoff_ms: 100 is "
                                     "below initial_backoff_ms (500)"});
}

TEST(ConfigLoader, ReadsACircuitBreakerAndReportsItsMistakes) {
  auto good = load_yaml(yaml_lines({
      "connectors:",
      "  out:",
      "    plugin: file",
      "    circuit_breaker: { failures: 4, open_ms: 2500 }",
  }));
  ASSERT_EQ(good.errors(), Strings{});
  EXPECT_EQ(good.config.connectors.at(0).circuit.failures, 4);
  EXPECT_EQ(good.config.connectors.at(0).circuit.open_ms, 2500);
  EXPECT_EQ(good.config.connectors.at(0).settings_json, "{}");  // the host's key, not the plugin's

  auto bad = load_yaml(yaml_lines({
      "connectors:",
      "  out:",
      "    plugin: file",
      "    circuit_breaker: { failures: -1, open_ms: 0, cooldown: 5 }",
  }));
  ASSERT_EQ(bad.errors().size(), 3u) << ::testing::PrintToString(bad.errors());
  std::string all = ::testing::PrintToString(bad.errors());
  EXPECT_NE(all.find("connectors.out.circuit_breaker.failures"), std::string::npos) << all;
  EXPECT_NE(all.find("connectors.out.circuit_breaker.open_ms"), std::string::npos) << all;
  EXPECT_NE(all.find("cooldown"), std::string::npos) << all;
}

TEST(ConfigLoader, ReportsBadListenAddress) {
  auto loaded = load_yaml(yaml_lines({
      "admin:",
      "  listen: localhost",
      "metrics:",
      "  statsd: 127.0.0.1:99999",
  }));
  EXPECT_EQ(loaded.errors(),
            (Strings{
                "cfg.yaml:2:11: admin.listen: 'localhost' has no :port (e.g. 127.0.0.1:9600 or "
                "[::1]:9600)",
                "cfg.yaml:4:11: metrics.statsd: '127.0.0.1:99999': the port must be a number from "
                "0 to 65535 (e.g. 127.0.0.1:9600 or [::1]:9600)",
            }));
}

TEST(ConfigLoader, AcceptsIpv6AndHostNameListenAddresses) {
  for (const char* address : {"\"[::1]:9600\"", "localhost:0", "0.0.0.0:65535"}) {
    auto loaded = load_yaml(std::string("admin: { listen: ") + address + " }\n");
    EXPECT_EQ(loaded.errors(), Strings{}) << address;
  }
}

TEST(ConfigLoader, ReportsBadLogLevelWithSuggestion) {
  auto loaded = load_yaml(yaml_lines({
      "logging:",
      "  level: debg",
      "  format: xml",
  }));
  EXPECT_EQ(loaded.errors(),
            (Strings{
                "cfg.yaml:2:10: logging.level: 'debg' is not one of trace, debug, info, warn, "
                "error, off; did you mean 'debug'?",
                "cfg.yaml:3:11: logging.format: 'xml' is not one of text, json",
            }));
}

TEST(ConfigLoader, ReportsUnknownConnectorInRoutesWithSuggestion) {
  auto loaded = load_yaml(yaml_lines({
      "connectors:",                    // 1
      "  tracking: { plugin: kafka }",  // 2
      "  out: { plugin: file }",        // 3
      "routes:",                        // 4
      "  - from: trackng:vehicles.*",   // 5
      "    to: [out, outt:x]",          // 6
      "    dead_letter: dlq",           // 7
  }));
  EXPECT_EQ(loaded.errors(),
            (Strings{
                "cfg.yaml:5:11: routes[0].from: unknown connector 'trackng'; did you mean "
                "'tracking'?",
                "cfg.yaml:6:15: routes[0].to: unknown connector 'outt'; did you mean 'out'?",
                "cfg.yaml:7:18: routes[0].dead_letter: unknown connector 'dlq'",
            }));
}

TEST(ConfigLoader, ReportsUnknownConnectorInAnOutputGroup) {
  auto loaded = load_yaml(yaml_lines({
      "connectors: { in: { plugin: stdio }, a: { plugin: file }, b: { plugin: file } }",
      "routes:",
      "  - from: in",
      "    to: { fallback: [a, c, \"b:x\"] }",
  }));
  EXPECT_EQ(
      loaded.errors(),
      Strings{"cfg.yaml:4:25: routes[0].to.fallback: unknown connector 'c'; did you mean 'a'?"});
}

TEST(ConfigLoader, ReportsUnknownConnectorInControlSubject) {
  auto loaded = load_yaml(yaml_lines({
      "control_subject: nats:sluice.control",
      "connectors: { bus: { plugin: nats } }",
  }));
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:1:18: control_subject: unknown connector 'nats'"});
}

TEST(ConfigLoader, ReportsMalformedTargets) {
  auto loaded = load_yaml(yaml_lines({
      "connectors: { out: { plugin: file } }",
      "routes:",
      "  - from: \":subject\"",
      "    to: \"out:\"",
  }));
  EXPECT_EQ(loaded.errors(),
            (Strings{
                "cfg.yaml:3:11: routes[0].from: ':subject' names no connector (write connector or "
                "connector:subject)",
                "cfg.yaml:4:9: routes[0].to: 'out:' has nothing after ':' (write 'out' alone, or "
                "connector:subject)",
            }));
}

TEST(ConfigLoader, ReportsRouteShapeErrors) {
  auto loaded = load_yaml(yaml_lines({
      "connectors: { a: { plugin: stdio } }",  // 1
      "routes:",                               // 2
      "  - to: a",                             // 3
      "  - from: a",                           // 4
      "    to: []",                            // 5
      "    where: x",                          // 6
      "  - just a string",                     // 7
      "  - from: [a, {b: 1}]",                 // 8
      "    to: a",                             // 9
  }));
  EXPECT_EQ(loaded.errors(),
            (Strings{
                "cfg.yaml:3:5: routes[0]: missing required key 'from'",
                "cfg.yaml:5:9: routes[1].to: the list is empty",
                "cfg.yaml:6:12: routes[1].where: expected a mapping or a list, got the string "
                "\"x\"",
                "cfg.yaml:7:5: routes[2]: expected a mapping (from:, to:, ...), got the string "
                "\"just a string\"",
                "cfg.yaml:8:15: routes[3].from[1]: expected a string, got a mapping",
            }));
}

TEST(ConfigLoader, ReportsRoutesThatAreNotAList) {
  auto loaded = load_yaml("routes: { from: a }\n");
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:1:9: routes: expected a list of routes (- from: "
                                     "... to: ...), got a mapping"});
}

TEST(ConfigLoader, ReportsDuplicateRouteName) {
  auto loaded = load_yaml(yaml_lines({
      "connectors: { a: { plugin: stdio } }",
      "routes:",
      "  - { name: r, from: a, to: a }",
      "  - { name: r, from: a, to: a }",
  }));
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:4:7: duplicate route name 'r' (first defined at "
                                     "cfg.yaml:3:7)"});
}

TEST(ConfigLoader, ReportsMissingScriptFile) {
  test::TempDir dir;
  std::string file = dir.file("sluice.yaml");
  auto loaded = load_yaml("script: routes.lua\n", {}, file);
  EXPECT_EQ(loaded.errors(),
            Strings{file + ":1:9: script: no such file: " + dir.file("routes.lua") +
                    " (a relative path is read from the config file's directory)"});
}

TEST(ConfigLoader, ReportsTopLevelThatIsNotAMapping) {
  auto loaded = load_yaml("- a\n- b\n");
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:1:1: the config must be a mapping (node_id:, "
                                     "connectors:, routes:, ...), got a list"});
}

TEST(ConfigLoader, ReportsMoreThanOneDocument) {
  auto loaded = load_yaml(yaml_lines({"workers: 1", "---", "workers: 2"}));
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:3:1: the file holds 2 YAML documents (separated by "
                                     "---); a config is exactly one"});
  EXPECT_EQ(loaded.config.workers, 1);
}

TEST(ConfigLoader, ReportsNonStringKeys) {
  auto loaded = load_yaml(yaml_lines({"[a, b]: 1", "workers: 1"}));
  EXPECT_EQ(loaded.errors(),
            Strings{"cfg.yaml:1:1: a key must be a plain string, not a list or mapping"});
}

TEST(ConfigLoader, ReportsIntegerTooLargeForPluginSettings) {
  auto loaded = load_yaml(yaml_lines({
      "connectors:",
      "  out: { plugin: file, id: 123456789012345678901234567890 }",
  }));
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:2:28: the integer 123456789012345678901234567890 "
                                     "does not fit in 64 bits; quote it to pass it as a string"});
}

TEST(ConfigLoader, SurvivesAnAliasBomb) {
  // "Billion laughs": each level doubles; the loader must stop, not exhaust memory.
  std::string text = "a0: &a0 [x, x]\n";
  for (int i = 1; i <= 30; ++i) {
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) +
            ", *a" + std::to_string(i - 1) + "]\n";
  }
  auto loaded = load_yaml(text);
  bool reported = false;
  for (const auto& e : loaded.errors()) {
    reported = reported || e.find("too many values") != std::string::npos;
  }
  EXPECT_TRUE(reported);
}

TEST(ConfigLoader, ReportsEveryErrorAtOnceInFileOrder) {
  auto loaded = load_yaml(yaml_lines({
      "node_id: ${NODE}",            // 1: unset variable
      "workers: -3",                 // 2: out of range
      "admin: { listen: nowhere }",  // 3: bad address
      "loging: { level: info }",     // 4: unknown key
      "connectors:",                 // 5
      "  in: { plugin: stdio }",     // 6
      "  out: { path: /tmp/o }",     // 7: no plugin
      "routes:",                     // 8
      "  - from: inn",               // 9: unknown connector
      "    to: out",                 // 10
      "    colour: red",             // 11: unknown route key
  }));
  EXPECT_EQ(loaded.errors(),
            (Strings{
                "cfg.yaml:1:10: environment variable 'NODE' is not set (give a default with "
                "${NODE:-value}, or write $${NODE} for a literal '${NODE}')",
                "cfg.yaml:2:10: workers: -3 is out of range (0 to 1024)",
                "cfg.yaml:3:18: admin.listen: 'nowhere' has no :port (e.g. 127.0.0.1:9600 or "
                "[::1]:9600)",
                "cfg.yaml:4:1: unknown key 'loging' at the top level; did you mean 'logging'?",
                "cfg.yaml:7:3: connector 'out' has no 'plugin' key (which plugin it is an instance "
                "of, e.g. plugin: kafka)",
                "cfg.yaml:9:11: routes[0].from: unknown connector 'inn'; did you mean 'in'?",
                "cfg.yaml:11:5: unknown key 'colour' in routes[0] (allowed: name, description, "
                "from, where, to, transform, throttle, dedup, dead_letter)",
            }));
}

}  // namespace
}  // namespace sluice::config
