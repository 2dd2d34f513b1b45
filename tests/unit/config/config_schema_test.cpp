// The JSON Schema of sluice.yaml is built from the declarations that
// validate it: host keys with the ranges and defaults the loader uses, route
// keys from route_keys.hpp, and each plugin's own settings schema.
#include "config/config_schema.hpp"

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config/host_settings.hpp"
#include "config/route_keys.hpp"

namespace sluice::config {
namespace {

namespace json = boost::json;

PluginSettingsSchema fake_plugin() {
  SettingsSpec spec{Setting::string("url").require().doc("server to connect to"),
                    Setting::integer("batch").def("10").min(1).doc("messages per batch")};
  return {"fake", "a plugin for tests", spec.schema_json()};
}

TEST(ConfigSchema, PluginConnector_HasThePluginsSettingsAndTheHostReservedKeys) {
  auto schema = config_schema({fake_plugin()});
  const auto& def = schema.at("$defs").at("plugin:fake").as_object();
  const auto& properties = def.at("properties").as_object();
  EXPECT_EQ(properties.at("url").at("description"), "server to connect to");
  EXPECT_EQ(properties.at("batch").at("default"), 10);
  EXPECT_EQ(properties.at("plugin").at("const"), "fake");
  for (const auto& reserved : setting_names(connector_host_settings()))
    EXPECT_TRUE(properties.contains(reserved)) << reserved;
  EXPECT_EQ(def.at("additionalProperties"), false);
  EXPECT_EQ(def.at("required"), json::array{"url"});
  EXPECT_EQ(def.at("description"), "fake: a plugin for tests");
}

TEST(ConfigSchema, Connector_IsCheckedByThePluginItNames) {
  auto schema = config_schema({fake_plugin(), {"other", "", ""}});
  const auto& connector = schema.at("$defs").at("connector").as_object();
  EXPECT_EQ(connector.at("properties").at("plugin").at("enum"), (json::array{"fake", "other"}));
  const auto& branches = connector.at("allOf").as_array();
  ASSERT_EQ(branches.size(), 2u);
  EXPECT_EQ(branches[0].at("if").at("properties").at("plugin").at("const"), "fake");
  EXPECT_EQ(branches[0].at("then").at("$ref"), "#/$defs/plugin:fake");
  EXPECT_EQ(schema.at("properties").at("connectors").at("additionalProperties").at("$ref"),
            "#/$defs/connector");
}

TEST(ConfigSchema, PluginWithoutSchema_AcceptsItsSettingsAndChecksTheHostKeys) {
  auto schema = config_schema({{"loose", "", "not json"}});
  const auto& def = schema.at("$defs").at("plugin:loose").as_object();
  EXPECT_FALSE(def.contains("additionalProperties"));
  EXPECT_TRUE(def.at("properties").as_object().contains("max_in_flight"));
}

TEST(ConfigSchema, HostDefaults_AreTheConfigStructsInitialValues) {
  auto schema = config_schema({});
  const auto& properties = schema.at("properties").as_object();
  const auto& defs = schema.at("$defs").as_object();
  EXPECT_EQ(properties.at("workers").at("default"), Config{}.workers);
  EXPECT_EQ(properties.at("shutdown_timeout_ms").at("default"), Config{}.shutdown_timeout_ms);
  EXPECT_EQ(defs.at("admin").at("properties").at("max_connections").at("default"),
            AdminConfig{}.max_connections);
  EXPECT_EQ(defs.at("metrics").at("properties").at("prefix").at("default"),
            json::value(MetricsConfig{}.prefix));
  EXPECT_EQ(defs.at("retry").at("properties").at("max_attempts").at("default"),
            RetryPolicy{}.max_attempts);
  EXPECT_EQ(defs.at("script_limits").at("properties").at("memory_mb").at("default"),
            ScriptLimits{}.memory_mb);
}

TEST(ConfigSchema, HostRanges_AreTheOnesTheLoaderEnforces) {
  auto schema = config_schema({});
  const auto& admin = schema.at("$defs").at("admin").at("properties").as_object();
  double most = admin.at("max_connections").at("maximum").to_number<double>();
  // Just inside the published range loads; just past it is refused.
  std::vector<Diagnostic> errors;
  load_config_text("admin: { max_connections: " + std::to_string(static_cast<int>(most)) + " }",
                   "cfg.yaml", errors, [](std::string_view) { return std::nullopt; });
  EXPECT_TRUE(errors.empty());
  load_config_text("admin: { max_connections: " + std::to_string(static_cast<int>(most) + 1) + " }",
                   "cfg.yaml", errors, [](std::string_view) { return std::nullopt; });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("out of range"), std::string::npos) << errors[0].message;
}

TEST(ConfigSchema, TopLevel_HasEveryKeyTheLoaderAcceptsAndNothingElse) {
  auto schema = config_schema({});
  const auto& properties = schema.at("properties").as_object();
  EXPECT_EQ(properties.size(), top_level_settings().settings().size());
  for (const auto& name : setting_names(top_level_settings()))
    EXPECT_TRUE(properties.contains(name)) << name;
  EXPECT_EQ(schema.at("additionalProperties"), false);
  // Unknown keys starting with x- are the user's, as in the loader.
  EXPECT_TRUE(schema.at("patternProperties").as_object().contains("^x-"));
}

TEST(ConfigSchema, Route_HasTheRouteKeys) {
  auto schema = config_schema({});
  const auto& route = schema.at("$defs").at("route").as_object();
  const auto& properties = route.at("properties").as_object();
  EXPECT_EQ(properties.size(), kRouteKeys.size());
  for (const auto& key : kRouteKeys) {
    ASSERT_TRUE(properties.contains(key.name)) << key.name;
    EXPECT_FALSE(properties.at(key.name).at("description").as_string().empty()) << key.name;
  }
  EXPECT_EQ(route.at("required"), (json::array{"from", "to"}));
}

}  // namespace
}  // namespace sluice::config
