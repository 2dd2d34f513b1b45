// A valid config read in full: every field, defaults, path resolution.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <climits>
#include <filesystem>

#include "config/config.hpp"
#include "config_test_util.hpp"
#include "support/sluice_test.hpp"

namespace sluice::config {
namespace {

using Strings = std::vector<std::string>;
using testing::load_yaml;
using testing::yaml_lines;

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  gethostname(name, sizeof(name) - 1);
  return name;
}

TEST(ConfigLoader, ReadsEveryFieldOfAFullConfig) {
  test::TempDir dir;
  test::write_file(dir.path() / "routes.lua", "-- routes\n");
  std::string text = yaml_lines({
      "node_id: edge-7",                                                               // 1
      "plugin_path: [./my-plugins, /opt/sluice/plugins]",                              // 2
      "state_dir: /var/lib/sluice",                                                    // 3
      "workers: 3",                                                                    // 4
      "queue_capacity: 1024",                                                          // 5
      "shutdown_timeout_ms: 5000",                                                     // 6
      "script: routes.lua",                                                            // 7
      "control_subject: bus:sluice.control",                                           // 8
      "admin: { enabled: false, listen: 0.0.0.0:9700 }",                               // 9
      "metrics:",                                                                      // 10
      "  statsd: 127.0.0.1:8125",                                                      // 11
      "  statsd_interval_ms: 2000",                                                    // 12
      "  prefix: edge",                                                                // 13
      "logging: { level: debug, format: json }",                                       // 14
      "connectors:",                                                                   // 15
      "  tracking:",                                                                   // 16
      "    plugin: kafka",                                                             // 17
      "    brokers: 127.0.0.1:9092",                                                   // 18
      "    topics: [tracking.data]",                                                   // 19
      "    max_in_flight: 500",                                                        // 20
      "    retry: { max_attempts: 3, initial_backoff_ms: 50, max_backoff_ms: 2000 }",  // 21
      "  bus:",                                                                        // 22
      "    plugin: nats",                                                              // 23
      "  out:",                                                                        // 24
      "    plugin: file",                                                              // 25
      "    path: /tmp/out.jsonl",                                                      // 26
      "routes:",                                                                       // 27
      "  - name: moving",                                                              // 28
      "    from: tracking",                                                            // 29
      "    where: { data.ENGINE_STATUS: \"ON\" }",                                     // 30
      "    to: [out, bus:vehicles.moving]",                                            // 31
      "    throttle: { key: data.DEVICE_ID, rate: 10, burst: 5, keep_latest: true }",  // 32
      "    dead_letter: out",                                                          // 33
      "    description: vehicles with the engine on",                                  // 34
  });
  std::string file = (dir.path() / "sluice.yaml").string();
  auto loaded = load_yaml(text, {}, file);
  ASSERT_EQ(loaded.errors(), Strings{});
  const Config& c = loaded.config;

  EXPECT_EQ(c.path, file);
  EXPECT_EQ(c.node_id, "edge-7");
  EXPECT_EQ(c.plugin_path, (Strings{(dir.path() / "my-plugins").string(), "/opt/sluice/plugins"}));
  EXPECT_EQ(c.state_dir, "/var/lib/sluice");
  EXPECT_EQ(c.workers, 3);
  EXPECT_EQ(c.queue_capacity, 1024);
  EXPECT_EQ(c.shutdown_timeout_ms, 5000);
  EXPECT_EQ(c.script, (dir.path() / "routes.lua").string());
  EXPECT_EQ(c.control_subject, "bus:sluice.control");
  EXPECT_FALSE(c.admin.enabled);
  EXPECT_EQ(c.admin.listen, "0.0.0.0:9700");
  EXPECT_EQ(c.admin.where.str(), file + ":9:1");
  EXPECT_EQ(c.metrics.statsd, "127.0.0.1:8125");
  EXPECT_EQ(c.metrics.statsd_interval_ms, 2000);
  EXPECT_EQ(c.metrics.prefix, "edge");
  EXPECT_EQ(c.logging.level, "debug");
  EXPECT_EQ(c.logging.format, "json");

  ASSERT_EQ(c.connectors.size(), 3u);
  const ConnectorConfig& kafka = c.connectors[0];
  EXPECT_EQ(kafka.name, "tracking");
  EXPECT_EQ(kafka.plugin, "kafka");
  EXPECT_EQ(boost::json::parse(kafka.settings_json),
            boost::json::parse(R"({"brokers":"127.0.0.1:9092","topics":["tracking.data"]})"));
  EXPECT_EQ(kafka.max_in_flight, 500);
  EXPECT_EQ(kafka.retry.max_attempts, 3);
  EXPECT_EQ(kafka.retry.initial_backoff_ms, 50);
  EXPECT_EQ(kafka.retry.max_backoff_ms, 2000);
  EXPECT_EQ(kafka.where.str(), file + ":16:3");
  ASSERT_EQ(kafka.setting_locations.size(), 2u);
  EXPECT_EQ(kafka.setting_locations.at("brokers").str(), file + ":18:5");
  EXPECT_EQ(kafka.setting_locations.at("topics").str(), file + ":19:5");
  EXPECT_EQ(c.connectors[1].name, "bus");
  EXPECT_EQ(c.connectors[1].settings_json, "{}");
  EXPECT_EQ(c.connectors[1].max_in_flight, 10000);  // the default
  EXPECT_EQ(c.connectors[1].retry.max_attempts, 5);
  EXPECT_EQ(c.connectors[2].name, "out");

  ASSERT_EQ(c.routes.size(), 1u);
  const RouteConfig& r = c.routes[0];
  EXPECT_EQ(r.name, "moving");
  EXPECT_EQ(r.where.str(), file + ":28:5");
  EXPECT_EQ(r.spec, boost::json::parse(R"({
    "name": "moving", "from": "tracking", "where": {"data.ENGINE_STATUS": "ON"},
    "to": ["out", "bus:vehicles.moving"],
    "throttle": {"key": "data.DEVICE_ID", "rate": 10, "burst": 5, "keep_latest": true},
    "dead_letter": "out", "description": "vehicles with the engine on"})")
                        .as_object());
  EXPECT_EQ(r.key_locations.at("from").str(), file + ":29:5");
  EXPECT_EQ(r.key_locations.at("to[1]").str(), file + ":31:15");
  EXPECT_EQ(r.key_locations.at("throttle.rate").str(), file + ":32:38");
  EXPECT_EQ(r.key_locations.at("where.data.ENGINE_STATUS").str(), file + ":30:14");
}

TEST(ConfigLoader, EmptyFileGivesAllDefaults) {
  auto loaded = load_yaml("# nothing configured yet\n");
  ASSERT_EQ(loaded.errors(), Strings{});
  const Config& c = loaded.config;
  EXPECT_EQ(c.workers, 0);
  EXPECT_EQ(c.queue_capacity, 8192);
  EXPECT_EQ(c.shutdown_timeout_ms, 30000);
  EXPECT_EQ(c.script, "");
  EXPECT_TRUE(c.admin.enabled);
  EXPECT_EQ(c.admin.listen, "127.0.0.1:9600");
  EXPECT_EQ(c.metrics.statsd, "");
  EXPECT_EQ(c.metrics.prefix, "sluice");
  EXPECT_EQ(c.logging.level, "info");
  EXPECT_EQ(c.logging.format, "text");
  EXPECT_TRUE(c.plugin_path.empty());
  EXPECT_TRUE(c.connectors.empty());
  EXPECT_TRUE(c.routes.empty());
}

TEST(ConfigLoader, EmptySectionsMeanDefaults) {
  auto loaded = load_yaml(yaml_lines({"admin:", "metrics:", "logging:", "connectors:", "routes:"}));
  ASSERT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.admin.listen, "127.0.0.1:9600");
  EXPECT_TRUE(loaded.config.connectors.empty());
}

TEST(ConfigLoader, NodeIdDefaultsToTheHostname) {
  auto loaded = load_yaml("workers: 1\n");
  ASSERT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.node_id, host_name());
  EXPECT_FALSE(loaded.config.node_id.empty());
}

TEST(ConfigLoader, ResolvesRelativePathsAgainstTheConfigFileDirectory) {
  test::TempDir dir;
  test::write_file(dir.path() / "lua" / "main.lua", "");
  std::string file = (dir.path() / "conf" / "sluice.yaml").string();
  auto loaded = load_yaml(yaml_lines({
                              "plugin_path: [plugins, ../shared/plugins, /abs/plugins]",
                              "state_dir: ./data/state",
                              "script: ../lua/main.lua",
                          }),
                          {}, file);
  ASSERT_EQ(loaded.errors(), Strings{});
  const Config& c = loaded.config;
  EXPECT_EQ(c.plugin_path, (Strings{(dir.path() / "conf" / "plugins").string(),
                                    (dir.path() / "shared" / "plugins").string(), "/abs/plugins"}));
  EXPECT_EQ(c.state_dir, (dir.path() / "conf" / "data" / "state").string());
  EXPECT_EQ(c.script, (dir.path() / "lua" / "main.lua").string());
}

TEST(ConfigLoader, RelativeConfigNameResolvesAgainstTheWorkingDirectory) {
  auto loaded = load_yaml("state_dir: data\n", {}, "sluice.yaml");
  ASSERT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.state_dir, (std::filesystem::current_path() / "data").string());
}

TEST(ConfigLoader, PluginPathAcceptsASingleString) {
  auto loaded = load_yaml("plugin_path: /opt/plugins\n");
  ASSERT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.plugin_path, Strings{"/opt/plugins"});
}

TEST(ConfigLoader, StateDirDefaultsToStateNextToTheConfig) {
  auto loaded = load_yaml("workers: 1\n", {}, "/etc/sluice/sluice.yaml");
  ASSERT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.state_dir, "/etc/sluice/state");
}

TEST(ConfigLoader, StateDirDefaultsToSystemdStateDirectory) {
  auto loaded = load_yaml("workers: 1\n", {{"STATE_DIRECTORY", "/var/lib/sluice:/var/lib/other"}},
                          "/etc/sluice/sluice.yaml");
  ASSERT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.state_dir, "/var/lib/sluice");
}

TEST(ConfigLoader, ExplicitStateDirWinsOverSystemd) {
  auto loaded = load_yaml("state_dir: /srv/state\n", {{"STATE_DIRECTORY", "/var/lib/sluice"}});
  ASSERT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.state_dir, "/srv/state");
}

TEST(ConfigLoader, ReadsAFileFromDisk) {
  test::TempDir dir;
  std::string file = dir.file("sluice.yaml");
  test::write_file(file, "node_id: from-disk\nworkers: 2\n");
  std::vector<Diagnostic> errors;
  Config c = load_config(file, errors);
  ASSERT_TRUE(errors.empty()) << errors[0].str();
  EXPECT_EQ(c.path, file);
  EXPECT_EQ(c.node_id, "from-disk");
  EXPECT_EQ(c.workers, 2);
  EXPECT_EQ(c.state_dir, (dir.path() / "state").string());
}

TEST(ConfigLoader, ReportsAFileThatCannotBeRead) {
  test::TempDir dir;
  std::string file = dir.file("missing.yaml");
  std::vector<Diagnostic> errors;
  Config c = load_config(file, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].str(), file + ": cannot read the config file: No such file or directory");
  EXPECT_EQ(c.path, file);
}

TEST(ConfigLoader, AppliesYamlMergeKeysAndIgnoresExtensionKeys) {
  auto loaded = load_yaml(yaml_lines({
      "x-kafka-defaults: &kafka",
      "  plugin: kafka",
      "  brokers: 127.0.0.1:9092",
      "connectors:",
      "  a:",
      "    <<: *kafka",
      "    topics: [a]",
      "  b:",
      "    <<: *kafka",
      "    brokers: 127.0.0.1:9093",
  }));
  ASSERT_EQ(loaded.errors(), Strings{});
  ASSERT_EQ(loaded.config.connectors.size(), 2u);
  EXPECT_EQ(loaded.config.connectors[0].plugin, "kafka");
  EXPECT_EQ(boost::json::parse(loaded.config.connectors[0].settings_json),
            boost::json::parse(R"({"topics":["a"],"brokers":"127.0.0.1:9092"})"));
  EXPECT_EQ(boost::json::parse(loaded.config.connectors[1].settings_json),
            boost::json::parse(R"({"brokers":"127.0.0.1:9093"})"));
}

TEST(ConfigLoader, AcceptsOutputGroupsAndWhereLists) {
  auto loaded = load_yaml(yaml_lines({
      "connectors: { in: { plugin: stdio }, a: { plugin: file }, b: { plugin: file } }",
      "routes:",
      "  - from: in",
      "    where: [{ data.kind: alert }, { data.level: 3 }]",
      "    to: { fallback: [a, \"b:backup\"] }",
  }));
  ASSERT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.routes[0].spec.at("to"),
            boost::json::parse(R"({"fallback": ["a", "b:backup"]})"));
}

TEST(ConfigLoader, LogLevelWarningIsReadAsWarn) {
  auto loaded = load_yaml("logging: { level: warning }\n");
  ASSERT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.logging.level, "warn");
}

TEST(ConfigLoader, RouteWithoutNameKeepsAnEmptyName) {
  auto loaded = load_yaml(yaml_lines({
      "connectors: { in: { plugin: stdio }, out: { plugin: file } }",
      "routes:",
      "  - { from: \"in:sensors.*\", to: out }",
  }));
  ASSERT_EQ(loaded.errors(), Strings{});
  ASSERT_EQ(loaded.config.routes.size(), 1u);
  EXPECT_EQ(loaded.config.routes[0].name, "");
  EXPECT_EQ(loaded.config.routes[0].spec.at("from"), "in:sensors.*");
}

}  // namespace
}  // namespace sluice::config
