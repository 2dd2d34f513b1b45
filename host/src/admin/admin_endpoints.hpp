// The admin HTTP API of a running sluice: /healthz, /readyz, /metrics,
// /stats, POST /reload and the status page at /.
#pragma once

#include "admin/http_server.hpp"
#include "config/config.hpp"

namespace sluice::runtime {
class Runtime;
}

namespace sluice::admin {

// The request handler for `runtime`; the server calls it on its own thread.
Handler make_admin_handler(runtime::Runtime& runtime);

// The server's limits from the `admin:` section, with /healthz and /readyz
// as the probes still answered past admin.max_connections.
HttpServerLimits admin_server_limits(const config::AdminConfig& admin);

// The /stats document (also logged on SIGUSR1).
std::string stats_json(runtime::Runtime& runtime);

}  // namespace sluice::admin
