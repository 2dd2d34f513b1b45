// The running pipeline's lifecycle: builds the connectors and the router,
// starts them and the delivery engine, reloads the script, reports status,
// and shuts down gracefully, draining and acking everything in flight.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "loader/plugin_registry.hpp"
#include "metrics/registry.hpp"
#include "runtime/connector.hpp"
#include "runtime/delivery_engine.hpp"
#include "runtime/router.hpp"
#include "runtime/timer_service.hpp"
#include "runtime/worker.hpp"
#include "tap/tap.hpp"

namespace sluice::runtime {

struct ReloadResult {
  bool ok = false;
  std::string message;
};

class ShutdownWatchdog;

struct RunOptions {
  bool exit_when_done = false;  // exit once every source finished and all is acked
  // Takes SIGINT/SIGTERM and bounds the shutdown; run() tells it each step.
  // Without one, run() takes SIGINT/SIGTERM itself, unbounded.
  ShutdownWatchdog* watchdog = nullptr;
};

// Builds the router from the config's routes (build_router's signature);
// the script layer supplies one that adds the script's routes and handlers.
using RouterFactory = std::function<std::shared_ptr<const Router>(
    const std::vector<config::RouteConfig>& routes, const ConnectorLookup& lookup,
    metrics::Registry& registry, const std::string& node_id, size_t workers, TimerService* timers,
    std::vector<std::string>& errors)>;

class Runtime {
 public:
  // `timers` (default: an AsioTimerService on the steady clock) is what
  // `sluice test` replaces with a virtual clock.
  Runtime(config::Config config, const loader::PluginRegistry& plugins,
          std::unique_ptr<TimerService> timers = nullptr);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Creates the connectors and compiles the routes; every problem found is
  // returned (empty = ready to start).
  std::vector<std::string> build();
  // What `sluice check` runs: every connector's settings validated by its
  // plugin (no connections made) and every route compiled. Returns all
  // problems found; `counts` (if given) gets what the router holds.
  std::vector<std::string> check(RouteCounts* counts = nullptr);
  // Starts workers, sinks, then sources. Returns errors (then call shutdown).
  std::vector<std::string> start();
  // Runs until the watchdog saw SIGINT/SIGTERM, request_stop() was called or
  // (exit_when_done) all is done, handling SIGHUP and SIGUSR1 meanwhile; then
  // shuts down by the watchdog's deadline. The calling thread must have
  // blocked those signals before any thread was created.
  int run(const RunOptions& options);
  // Stops sources, drains, flushes sinks, destroys everything. Returns true
  // when every accepted message was settled by `deadline` (default: now plus
  // shutdown_timeout_ms).
  bool shutdown();
  bool shutdown(std::chrono::steady_clock::time_point deadline);
  void request_stop();

  // --- used by the host API ---
  DeliveryEngine& engine() { return engine_; }
  void source_finished(Connector& source);

  std::shared_ptr<const Router> router() const {
    std::lock_guard lock(router_mutex_);
    return router_;
  }
  // The router for the next message: one atomic load on the hot path
  // (std::atomic_load of a shared_ptr takes a global lock per call). Valid
  // until shutdown, because replaced routers are kept until then.
  const Router* current_router() const { return engine_.current_router(); }
  // Swaps in a router between messages; the previous one is kept alive.
  void set_router(std::shared_ptr<const Router> router) {
    std::lock_guard lock(router_mutex_);
    if (router_) retired_routers_.push_back(std::move(router_));
    router_ = std::move(router);
    engine_.use_router(router_.get());
  }

  const config::Config& config() const { return config_; }
  metrics::Registry& metrics() { return metrics_; }
  TimerService& timers() { return *timers_; }
  tap::TapHub& taps() { return taps_; }
  Connector* connector(const std::string& name) const;
  const std::vector<std::unique_ptr<Connector>>& connectors() const { return connectors_; }
  const std::vector<std::unique_ptr<Worker>>& workers() const { return engine_.workers(); }
  int64_t in_flight() const { return engine_.in_flight(); }
  std::chrono::steady_clock::time_point started_at() const { return started_at_; }
  // Reloads the script (SIGHUP, POST /reload). The script layer installs
  // the hook; without a script there is nothing to reload.
  ReloadResult reload();
  void set_reload_hook(std::function<ReloadResult()> hook) { reload_hook_ = std::move(hook); }
  // Replaces build_router for check(), build() and rebuild_router().
  void set_router_factory(RouterFactory factory) { router_factory_ = std::move(factory); }
  // Builds a new router with the factory and swaps it in between messages;
  // on any error the running one stays. The old router is kept until
  // shutdown: messages its throttles hold are still released by it.
  ReloadResult rebuild_router();
  // True between start() and the beginning of shutdown.
  bool running() const { return started_.load() && !engine_.ingress_closed(); }
  // Average time a worker spends routing one message, in microseconds
  // (exponentially weighted, sampled).
  double routing_time_ewma_us() const;
  // Node, version, uptime, connector health and counters, as JSON text.
  std::string status_json() const;

 private:
  std::string missing_plugin_error(const config::ConnectorConfig& cc) const;
  bool all_sources_done() const;
  // Tells the watchdog (if any) what the run, then shutdown, is doing now.
  void note_shutdown_step(std::string step);
  // "out=3 ws=12": connectors with publishes awaiting confirmation.
  std::string unconfirmed_publishes() const;

  config::Config config_;
  const loader::PluginRegistry& plugins_;
  metrics::Registry metrics_;
  std::unique_ptr<TimerService> timers_;
  std::vector<std::unique_ptr<Connector>> connectors_;
  // Before the engine, which offers it copies until its workers stop.
  tap::TapHub taps_{metrics_};
  // After the connectors: destroyed first, so its workers stop before the
  // connectors they publish to go.
  DeliveryEngine engine_;
  mutable std::mutex router_mutex_;
  std::shared_ptr<const Router> router_;
  std::vector<std::string> route_sources_;

  std::atomic<bool> started_{false};
  std::function<ReloadResult()> reload_hook_;
  RouterFactory router_factory_ = build_router;
  std::mutex reload_mutex_;
  std::vector<std::shared_ptr<const Router>> retired_routers_;  // guarded by router_mutex_
  std::atomic<bool> stop_requested_{false};
  bool shut_down_ = false;
  ShutdownWatchdog* watchdog_ = nullptr;
  std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();
};

}  // namespace sluice::runtime
