// `sluice schema`: the JSON Schema of sluice.yaml for editors, covering the
// plugins installed here (the same search path as `sluice run`).
#include <iostream>

#include "cli/commands.hpp"
#include "cli/json_pretty.hpp"
#include "config/config.hpp"
#include "config/config_schema.hpp"
#include "loader/plugin_registry.hpp"

namespace sluice::cli {

int schema_command(const Options& options) {
  // The config is optional here, as for `sluice plugins`: its plugin_path
  // is searched when it loads.
  std::vector<std::string> from_config;
  std::vector<config::Diagnostic> diagnostics;
  auto cfg = config::load_config(options.config_path, diagnostics);
  if (diagnostics.empty()) from_config = cfg.plugin_path;

  loader::PluginRegistry registry;
  registry.load_directories(loader::plugin_search_path(from_config));
  std::vector<config::PluginSettingsSchema> plugins;
  for (const auto& p : registry.plugins()) {
    const auto* d = p->descriptor;
    plugins.push_back(
        {d->name, d->description ? d->description : "", d->config_schema ? d->config_schema : ""});
  }
  // A refused plugin is missing from the schema: say so, but still print
  // the schema of what is usable.
  for (const auto& r : registry.refusals()) std::cerr << "refused: " << r.str() << "\n";
  std::cout << pretty_json(config::config_schema(plugins));
  return kExitOk;
}

}  // namespace sluice::cli
