// JSON Schema (draft 2020-12) of sluice.yaml for editors (`sluice schema`),
// generated from the declarations that validate a config: the host's keys
// (host_settings.hpp, route_keys.hpp) and each installed plugin's settings
// schema, which its SettingsSpec derives from the same table that checks them.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace sluice::config {

// What the schema needs of one installed plugin (from its descriptor).
struct PluginSettingsSchema {
  std::string name;
  std::string description;
  std::string schema_json;  // the descriptor's config_schema; "" or unparsable = accept anything
};

// Connectors are told apart by `plugin:`: a connector whose plugin is one
// of `plugins` is checked against that plugin's settings plus the
// host-reserved keys; any other plugin name is refused, as `sluice check`
// refuses a plugin it cannot find.
boost::json::object config_schema(const std::vector<PluginSettingsSchema>& plugins);

}  // namespace sluice::config
