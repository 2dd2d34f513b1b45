#include <iostream>

#include "cli/commands.hpp"
#include "cli/setup.hpp"
#include "lua/script_host.hpp"
#include "runtime/runtime.hpp"

namespace sluice::cli {

int check_command(const Options& options) {
  std::vector<config::Diagnostic> diagnostics;
  auto cfg = config::load_config(options.config_path, diagnostics);
  std::vector<std::string> errors;
  for (const auto& d : diagnostics) errors.push_back(d.str());
  if (std::string e = apply_logging(options, cfg.logging); !e.empty()) errors.push_back(e);

  // Connectors and routes are checked even when the config had errors, so
  // one run lists every problem; a file that did not parse has none.
  loader::PluginRegistry registry;
  registry.load_directories(loader::plugin_search_path(cfg.plugin_path));
  runtime::Runtime rt(cfg, registry);
  lua::attach_script(rt);
  runtime::RouteCounts counts;
  for (auto& e : rt.check(&counts)) errors.push_back(std::move(e));

  if (errors.empty()) {
    // Routes count the script's sluice.route{...} too.
    std::cout << options.config_path << ": OK (" << cfg.connectors.size() << " connectors, "
              << counts.routes << " routes";
    if (!cfg.script.empty()) std::cout << ", " << counts.handlers << " handlers";
    std::cout << ")\n";
    return kExitOk;
  }
  for (const auto& e : errors) std::cerr << e << "\n";
  std::cerr << errors.size() << (errors.size() == 1 ? " error" : " errors") << " in "
            << options.config_path << "\n";
  return kExitConfigInvalid;
}

}  // namespace sluice::cli
