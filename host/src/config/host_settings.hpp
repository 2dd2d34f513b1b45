// The host's own keys of sluice.yaml declared once, in the SDK's Setting
// form: the config readers take their key lists, ranges and choices from
// here, and `sluice schema` turns the same declarations into JSON Schema.
// Defaults come from the Config structs' initializers.
#pragma once

#include <sluice/settings.hpp>
#include <string_view>
#include <vector>

namespace sluice::config {

// The top level's scalar keys (node_id, workers, ...); the sections below
// and connectors:/routes: are declared as mappings or lists here too.
const SettingsSpec& top_level_settings();
const SettingsSpec& admin_settings();
const SettingsSpec& metrics_settings();
const SettingsSpec& logging_settings();
const SettingsSpec& script_limits_settings();
// A connector's host-reserved keys; every other key belongs to its plugin.
const SettingsSpec& connector_host_settings();
const SettingsSpec& retry_settings();
const SettingsSpec& circuit_breaker_settings();

// The names of `spec`'s settings, for FieldReader::reject_unknown_keys (the
// views point into the static declarations).
std::vector<std::string_view> setting_names(const SettingsSpec& spec);

// The declaration of `name` in `spec`; a missing one is a bug (throws
// std::logic_error).
const Setting& declared(const SettingsSpec& spec, std::string_view name);

}  // namespace sluice::config
