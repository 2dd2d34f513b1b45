#include "config/config_schema.hpp"

#include "config/host_settings.hpp"
#include "config/route_keys.hpp"

namespace sluice::config {
namespace {

namespace json = boost::json;

constexpr const char* kDraft = "https://json-schema.org/draft/2020-12/schema";

json::object def_ref(const std::string& def) { return {{"$ref", "#/$defs/" + def}}; }

// A declared section as a schema of its own. A key written with nothing
// under it (`admin:`) is YAML's null, which sluice reads as all defaults.
json::object section(const SettingsSpec& spec) {
  json::object schema = json::parse(spec.schema_json()).as_object();
  schema.erase("$schema");
  schema["type"] = json::array{"object", "null"};
  return schema;
}

// The property of `name` in `spec`'s schema (type, description, default).
json::object property(const SettingsSpec& spec, const std::string& name) {
  json::object schema = json::parse(spec.schema_json()).as_object();
  return schema.at("properties").at(name).as_object();
}

std::string description(const SettingsSpec& spec, std::string_view name) {
  return declared(spec, name).description;
}

// A property that refers to a section in $defs, keeping its description.
json::object section_property(const SettingsSpec& spec, const std::string& name,
                              const std::string& def) {
  json::object p = def_ref(def);
  p["description"] = description(spec, name);
  return p;
}

json::object string_list() {
  json::array any_of;
  any_of.push_back(json::object{{"type", "string"}});
  any_of.push_back(json::object{
      {"type", "array"}, {"items", json::object{{"type", "string"}}}, {"minItems", 1}});
  return json::object{{"anyOf", std::move(any_of)}};
}

json::object route_value(RouteValueShape shape) {
  switch (shape) {
    case RouteValueShape::kString:
      return {{"type", "string"}};
    case RouteValueShape::kStringOrList:
      return string_list();
    case RouteValueShape::kSources: {
      // A source, a list of sources, or a source policy; the route compiler
      // checks the policy's inside.
      json::object policy{
          {"type", "object"},
          {"properties",
           json::object{{"priority", string_list()},
                        {"fallback", string_list()},
                        {"round_robin", string_list()},
                        {"merge", string_list()},
                        {"silence_ms", json::object{{"type", json::array{"integer", "string"}}}},
                        {"standby", json::object{{"enum", json::array{"drop", "pause"}}}},
                        {"batch", json::object{{"type", json::array{"integer", "string"}}}}}},
          {"additionalProperties", false}};
      json::object out = string_list();
      out["anyOf"].as_array().push_back(std::move(policy));
      return out;
    }
    case RouteValueShape::kOutputs:
      // A target, a list of targets, or an output group such as
      // {fallback: [a, b]}; the route compiler checks the group's inside.
      return {{"anyOf", json::array{json::object{{"type", "string"}},
                                    json::object{{"type", "array"}, {"minItems", 1}},
                                    json::object{{"type", "object"}}}}};
    case RouteValueShape::kMapping:
      return {{"type", "object"}};
    case RouteValueShape::kMappingOrList:
      return {{"type", json::array{"object", "array"}}};
    case RouteValueShape::kAny:
      return {};
  }
  return {};
}

json::object route_schema() {
  json::object properties;
  json::array required;
  for (const auto& key : kRouteKeys) {
    json::object p = route_value(key.shape);
    p["description"] = key.description;
    properties[key.name] = std::move(p);
    if (key.required) required.emplace_back(key.name);
  }
  return {{"type", "object"},
          {"description", "a native route (the same keys as sluice.route{...} in Lua)"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

std::string plugin_def(const std::string& plugin) { return "plugin:" + plugin; }

// A connector of `plugin`: its own settings and the host-reserved keys,
// nothing else.
json::object plugin_connector_schema(const PluginSettingsSchema& plugin) {
  json::object schema;
  boost::system::error_code ec;
  json::value parsed = json::parse(plugin.schema_json, ec);
  if (!ec && parsed.is_object()) schema = parsed.as_object();
  schema.erase("$schema");
  schema.erase("$id");
  // A plugin whose schema leaves its settings open stays open: only what
  // the plugin declared can be checked.
  if (!schema.contains("properties")) schema["properties"] = json::object{};
  schema["type"] = "object";
  json::object& properties = schema["properties"].as_object();
  const SettingsSpec& host = connector_host_settings();
  for (const auto& setting : host.settings()) {
    if (setting.name == "retry") {
      properties["retry"] = section_property(host, "retry", "retry");
    } else if (setting.name == "circuit_breaker") {
      properties["circuit_breaker"] = section_property(host, "circuit_breaker", "circuit_breaker");
    } else if (setting.name == "plugin") {
      properties["plugin"] = json::object{{"const", plugin.name}};
    } else {
      properties[setting.name] = property(host, setting.name);
    }
  }
  if (!plugin.description.empty()) schema["description"] = plugin.name + ": " + plugin.description;
  return schema;
}

json::object connector_schema(const std::vector<PluginSettingsSchema>& plugins) {
  json::array names;
  json::array by_plugin;
  for (const auto& p : plugins) {
    names.emplace_back(p.name);
    json::object if_plugin{{"properties", {{"plugin", {{"const", p.name}}}}},
                           {"required", json::array{"plugin"}}};
    by_plugin.push_back(
        json::object{{"if", std::move(if_plugin)}, {"then", def_ref(plugin_def(p.name))}});
  }
  json::object plugin = property(connector_host_settings(), "plugin");
  plugin["description"] = std::string(plugin["description"].as_string()) +
                          " (one of the plugins installed where `sluice schema` ran)";
  plugin["enum"] = std::move(names);
  json::object schema{{"type", "object"},
                      {"description", "a configured plugin instance"},
                      {"required", json::array{"plugin"}},
                      {"properties", {{"plugin", std::move(plugin)}}}};
  if (!by_plugin.empty()) schema["allOf"] = std::move(by_plugin);
  return schema;
}

}  // namespace

json::object config_schema(const std::vector<PluginSettingsSchema>& plugins) {
  const SettingsSpec& top = top_level_settings();
  json::object properties = json::parse(top.schema_json()).as_object().at("properties").as_object();
  for (const char* name : {"admin", "metrics", "logging", "script_limits"})
    properties[name] = section_property(top, name, name);
  properties["connectors"] = {{"type", json::array{"object", "null"}},
                              {"description", description(top, "connectors")},
                              // A connector's name: what the config check accepts.
                              {"propertyNames", {{"pattern", "^[A-Za-z0-9_-]+$"}}},
                              {"additionalProperties", def_ref("connector")}};
  properties["routes"] = {{"type", json::array{"array", "null"}},
                          {"description", description(top, "routes")},
                          {"items", def_ref("route")}};

  json::object defs{{"admin", section(admin_settings())},
                    {"metrics", section(metrics_settings())},
                    {"logging", section(logging_settings())},
                    {"script_limits", section(script_limits_settings())},
                    {"retry", section(retry_settings())},
                    {"circuit_breaker", section(circuit_breaker_settings())},
                    {"route", route_schema()},
                    {"connector", connector_schema(plugins)}};
  for (const auto& p : plugins) defs[plugin_def(p.name)] = plugin_connector_schema(p);

  return {{"$schema", kDraft},
          {"title", "sluice.yaml"},
          {"description",
           "Configuration of the sluice event router (generated by `sluice schema` from the "
           "declarations that validate it)"},
          {"type", "object"},
          {"properties", std::move(properties)},
          // x-... keys are the user's own (a home for YAML anchors).
          {"patternProperties", {{"^x-", json::object{}}}},
          {"additionalProperties", false},
          {"$defs", std::move(defs)}};
}

}  // namespace sluice::config
