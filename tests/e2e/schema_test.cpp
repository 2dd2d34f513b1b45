// `sluice schema` with the build's plugins: a valid draft 2020-12 JSON
// Schema (checked by python3-jsonschema, as editors' YAML language server
// would use it) that accepts every shipped config and refuses broken ones
// for the reason `sluice check` refuses them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

namespace fs = std::filesystem;

// Debian's python3-jsonschema lives in the system interpreter's path; a
// python3 earlier in PATH (pyenv, a venv) may not have it.
std::string python() {
  return ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

std::string checker() {
  return (fs::path(source_dir()) / "tests/e2e/json_schema_check.py").string();
}

// Only the build's real plugins: the test plugins include deliberately
// broken ones.
Env real_plugins() { return {{"SLUICE_PLUGIN_PATH", plugin_dir()}}; }

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // -c names no file: the plugin path comes from the environment alone.
    // stderr apart: only stdout is the schema.
    ProcessOptions options;
    options.split_stderr = true;
    auto proc = start_sluice({"schema", "-c", (dir_.path() / "none.yaml").string()}, real_plugins(),
                             options);
    ASSERT_EQ(proc.wait(std::chrono::seconds(60)), 0) << proc.error_output();
    schema_text_ = proc.output();
    schema_ = dir_.path() / "sluice.schema.json";
    write_file(schema_, schema_text_);
  }

  // The checker's exit status; its output in *output.
  int check(const std::vector<std::string>& files, std::string* output) {
    std::vector<std::string> argv{python(), checker(), schema_.string()};
    argv.insert(argv.end(), files.begin(), files.end());
    return run_command(argv, {}, output);
  }

  fs::path write_config(const std::string& name, const std::string& text) {
    auto path = dir_.path() / name;
    write_file(path, text);
    return path;
  }

  TempDir dir_;
  std::string schema_text_;
  fs::path schema_;
};

TEST_F(SchemaTest, Schema_IsAValidDraft202012Schema) {
  auto schema = boost::json::parse(schema_text_);
  EXPECT_EQ(schema.at("$schema").as_string(), "https://json-schema.org/draft/2020-12/schema");
  std::string output;
  // Exit 3 (with the reason) when python3-jsonschema is missing: a failure,
  // never a skip.
  EXPECT_EQ(check({}, &output), 0) << output;
}

TEST_F(SchemaTest, Schema_AcceptsEveryShippedConfig) {
  std::vector<std::string> configs;
  for (const char* dir : {"config", "config/examples"})
    for (const auto& entry : fs::directory_iterator(fs::path(source_dir()) / dir)) {
      // *.test.yaml are `sluice test` files, not configs.
      const std::string name = entry.path().filename().string();
      const bool test_file = name.size() > 10 && name.ends_with(".test.yaml");
      if (entry.path().extension() == ".yaml" && !test_file)
        configs.push_back(entry.path().string());
    }
  ASSERT_GE(configs.size(), 5u);
  std::string output;
  EXPECT_EQ(check(configs, &output), 0) << output;
}

TEST_F(SchemaTest, Schema_DescribesEachInstalledPluginsSettingsWithDefaults) {
  auto schema = boost::json::parse(schema_text_);
  const auto& defs = schema.at("$defs").as_object();
  // The generate plugin's own declaration: its count setting, documented.
  const auto& generate = defs.at("plugin:generate").at("properties").as_object();
  ASSERT_TRUE(generate.contains("count"));
  EXPECT_FALSE(generate.at("count").at("description").as_string().empty());
  // Host-reserved keys are allowed beside every plugin's settings.
  EXPECT_TRUE(generate.contains("max_in_flight"));
  EXPECT_TRUE(generate.contains("retry"));
  // Host defaults come from the config structs.
  EXPECT_EQ(defs.at("admin").at("properties").at("listen").at("default"), "127.0.0.1:9600");
  EXPECT_EQ(schema.at("properties").at("queue_capacity").at("default"), 8192);
}

struct BrokenConfig {
  const char* name;
  const char* yaml;
  const char* schema_says;  // in the checker's output
};

TEST_F(SchemaTest, Schema_RejectsBrokenConfigsLikeSluiceCheck) {
  const BrokenConfig cases[] = {
      {"unknown top-level key", "wrokers: 2\n", "'wrokers'"},
      {"wrong type of a host setting", "workers: many\n",
       "workers: 'many' is not of type 'integer'"},
      {"host setting out of range", "admin: { max_connections: 0 }\n",
       "admin/max_connections: 0 is less than the minimum"},
      {"unknown key of a host section", "logging: { levle: debug }\n", "'levle' was unexpected"},
      {"choice not allowed", "logging: { format: xml }\n", "logging/format: 'xml' is not one of"},
      {"unknown setting of a nats connector",
       "connectors:\n  bus:\n    plugin: nats\n    url: nats://127.0.0.1:4222\n"
       "    subjectz: [a.b]\n",
       "'subjectz' was unexpected"},
      {"wrong type of a plugin setting",
       "connectors:\n  gen:\n    plugin: generate\n    count: lots\n",
       "connectors/gen/count: 'lots' is not of type 'integer'"},
      {"host-reserved connector key out of range",
       "connectors:\n  gen:\n    plugin: generate\n    retry: { max_attempts: 0 }\n",
       "connectors/gen/retry/max_attempts: 0 is less than the minimum"},
      {"plugin not installed", "connectors:\n  k:\n    plugin: kafkaa\n",
       "connectors/k/plugin: 'kafkaa' is not one of"},
      {"route without to", "connectors:\n  gen: { plugin: generate }\nroutes:\n  - from: gen\n",
       "'to' is a required property"},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto path = write_config("broken-" + std::to_string(n++) + ".yaml", c.yaml);
    std::string output;
    EXPECT_EQ(check({path.string()}, &output), 1) << output;
    EXPECT_NE(output.find(c.schema_says), std::string::npos) << output;
    // The schema refuses what the config check refuses.
    std::string check_output;
    EXPECT_EQ(run_sluice({"check", "-c", path.string()}, &check_output, real_plugins()), 3)
        << check_output;
  }
}

TEST_F(SchemaTest, Schema_AcceptsWhatSluiceCheckAccepts) {
  // Sections left empty, x- keys for anchors, host-reserved keys, a plugin
  // setting given as a single string for a list, every route key.
  auto path = write_config("valid.yaml", R"(x-common: &common { max_in_flight: 10 }
admin:
logging: { level: debug, format: json }
script_limits: { instructions: 5000, memory_mb: 8 }
connectors:
  gen:
    plugin: generate
    count: 10
    payload: '{"n":${counter}}'
  sink:
    <<: *common
    plugin: "null"
    retry: { max_attempts: 3, initial_backoff_ms: 10, max_backoff_ms: 100 }
    circuit_breaker: { failures: 5, open_ms: 1000 }
routes:
  - name: all
    description: everything to the sink
    from: [gen]
    where: { n: { ge: 0 } }
    to: { fallback: [sink] }
    throttle: { rate: 100 }
    dedup: { key: n, window_ms: 1000 }
    dead_letter: sink
)");
  std::string check_output;
  ASSERT_EQ(run_sluice({"check", "-c", path.string()}, &check_output, real_plugins()), 0)
      << check_output;
  std::string output;
  EXPECT_EQ(check({path.string()}, &output), 0) << output;
}

}  // namespace
}  // namespace sluice::test
