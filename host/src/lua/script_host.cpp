#include "lua/script_host.hpp"

#include "lua/script_router.hpp"

namespace sluice::lua {

void attach_script(runtime::Runtime& rt) {
  const auto& cfg = rt.config();
  if (cfg.script.empty()) return;
  std::string path = cfg.script;
  StateLimits limits = limits_from(cfg.script_limits);
  rt.set_router_factory([path, limits](const std::vector<config::RouteConfig>& routes,
                                       const runtime::ConnectorLookup& lookup,
                                       metrics::Registry& registry, const std::string& node_id,
                                       size_t workers, runtime::TimerService* timers,
                                       std::vector<std::string>& errors) {
    return build_script_router(path, limits, routes, lookup, registry, node_id, workers, timers,
                               errors);
  });
  rt.set_reload_hook([&rt] { return rt.rebuild_router(); });
}

}  // namespace sluice::lua
