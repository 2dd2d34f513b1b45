#include <signal.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/setup.hpp"
#include "log/logger.hpp"
#include "runtime/runtime.hpp"

namespace sluice::cli {

int run_command(const Options& options) {
  // Block the signals the runtime waits for before any thread exists, so
  // that every thread inherits the mask and only sigtimedwait sees them.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

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
  loader::PluginRegistry registry;
  registry.load_directories(loader::plugin_search_path(cfg.plugin_path));
  for (const auto& r : registry.refusals()) log::warn("loader", "refused plugin " + r.str());

  runtime::Runtime rt(cfg, registry);
  auto errors = rt.build();
  if (errors.empty()) errors = rt.start();
  if (!errors.empty()) {
    for (const auto& e : errors) log::error("config", e);
    rt.shutdown();
    return kExitConfigInvalid;
  }
  runtime::RunOptions run_options;
  run_options.exit_when_done = options.exit_when_done;
  return rt.run(run_options);
}

}  // namespace sluice::cli
