// The router when a script is configured: the native routes (YAML and the
// script's sluice.route{...}, compiled together by build_router) run
// first, then the script's handlers, each worker in its own Lua state.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "lua/lua_state.hpp"
#include "runtime/router.hpp"

namespace sluice::lua {

StateLimits limits_from(const config::ScriptLimits& limits);

// Reads the script at `script_path`, runs it in `workers` fresh states and
// compiles `routes` plus the script's routes and handlers. Every problem
// goes to `errors` (the script's with file:line); nullptr when the script
// itself failed.
std::shared_ptr<const runtime::Router> build_script_router(
    const std::string& script_path, StateLimits limits,
    const std::vector<config::RouteConfig>& routes, const runtime::ConnectorLookup& lookup,
    metrics::Registry& registry, const std::string& node_id, size_t workers,
    runtime::TimerService* timers, std::vector<std::string>& errors);

}  // namespace sluice::lua
