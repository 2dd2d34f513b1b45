#include <signal.h>

#include <iostream>

#include "admin/admin_endpoints.hpp"
#include "admin/http_server.hpp"
#include "admin/statsd_exporter.hpp"
#include "admin/tap_endpoint.hpp"
#include "cli/commands.hpp"
#include "cli/open_file_limit.hpp"
#include "cli/setup.hpp"
#include "log/logger.hpp"
#include "lua/script_host.hpp"
#include "runtime/runtime.hpp"
#include "runtime/shutdown_watchdog.hpp"

namespace sluice::cli {

int run_command(const Options& options) {
  // Block the signals the runtime waits for before any thread exists, so
  // that every thread inherits the mask and only sigtimedwait sees them.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  raise_open_file_limit();

  std::vector<config::Diagnostic> diagnostics;
  auto cfg = config::load_config(options.config_path, diagnostics);
  if (!diagnostics.empty()) {
    for (const auto& d : diagnostics) std::cerr << d.str() << "\n";
    return kExitConfigInvalid;
  }
  if (std::string e = apply_logging(options, cfg.logging); !e.empty()) {
    std::cerr << "sluice: " << e << "\n";
    return kExitUsage;
  }
  // Declared before everything it must bound (plugins, runtime, admin), so
  // it outlives them: from SIGTERM on, the process leaves within
  // shutdown_timeout_ms (plus a short grace) whatever they are blocked in.
  runtime::ShutdownWatchdog watchdog(std::chrono::milliseconds(cfg.shutdown_timeout_ms),
                                     kExitRuntimeError);
  loader::PluginRegistry registry;
  registry.load_directories(loader::plugin_search_path(cfg.plugin_path));
  for (const auto& r : registry.refusals()) log::warn("loader", "refused plugin " + r.str());

  runtime::Runtime rt(cfg, registry);
  lua::attach_script(rt);
  auto errors = rt.build();
  if (errors.empty()) errors = rt.start();
  if (!errors.empty()) {
    for (const auto& e : errors) log::error("config", e);
    rt.shutdown();
    return kExitConfigInvalid;
  }
  // Declared after the runtime so they stop before it is destroyed.
  admin::HttpServer admin_server(admin::make_admin_handler(rt),
                                 admin::admin_server_limits(cfg.admin), &rt.metrics());
  admin_server.set_stream_handler("/tap", admin::make_tap_handler(rt));
  if (cfg.admin.enabled) {
    if (std::string e = admin_server.start(cfg.admin.listen); !e.empty()) {
      log::error("admin", e);
      rt.shutdown();
      return kExitConfigInvalid;
    }
    log::info("admin", "admin HTTP on http://" +
                           cfg.admin.listen.substr(0, cfg.admin.listen.rfind(':')) + ":" +
                           std::to_string(admin_server.port()) + "/");
  }
  admin::StatsdExporter statsd(rt.metrics(), rt.timers());
  if (!cfg.metrics.statsd.empty()) {
    if (std::string e =
            statsd.start(cfg.metrics.statsd, cfg.metrics.statsd_interval_ms, cfg.metrics.prefix);
        !e.empty()) {
      log::error("statsd", e);
      rt.shutdown();
      return kExitConfigInvalid;
    }
  }
  runtime::RunOptions run_options;
  run_options.exit_when_done = options.exit_when_done;
  run_options.watchdog = &watchdog;
  int code = rt.run(run_options);
  watchdog.note("stopping the statsd exporter");
  statsd.stop();
  watchdog.note("stopping the admin HTTP server");
  admin_server.stop();
  watchdog.note("releasing the runtime and the plugins");
  return code;
}

}  // namespace sluice::cli
