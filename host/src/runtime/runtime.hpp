// The running pipeline: connectors, workers, router and timers, from start
// to a graceful shutdown that drains and acks everything in flight.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "loader/plugin_registry.hpp"
#include "metrics/registry.hpp"
#include "runtime/connector.hpp"
#include "runtime/router.hpp"
#include "runtime/timer_service.hpp"
#include "runtime/worker.hpp"

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
  Runtime(config::Config config, const loader::PluginRegistry& plugins);
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

  // --- used by the host API, workers and completions ---
  sluice_status ingest(Connector& source, const sluice_message* message, uint64_t ack_id,
                       uint32_t wait_ms);
  void dispatch(Delivery* delivery, Output output, size_t worker_index);
  void complete(sluice_completion* completion, sluice_status status, const char* error,
                const sluice_message* reply);
  void finish_delivery(Delivery* delivery, bool ok);
  bool handle_control(const EnvelopePtr& message, Delivery& delivery, Dispatch& out);
  void count_unrouted() { unrouted_->inc(); }
  void source_finished(Connector& source);

  std::shared_ptr<const Router> router() const {
    std::lock_guard lock(router_mutex_);
    return router_;
  }
  // The router for the next message: one atomic load on the hot path
  // (std::atomic_load of a shared_ptr takes a global lock per call). Valid
  // until shutdown, because replaced routers are kept until then.
  const Router* current_router() const { return current_router_.load(std::memory_order_acquire); }
  // Swaps in a router between messages; the previous one is kept alive.
  void set_router(std::shared_ptr<const Router> router) {
    std::lock_guard lock(router_mutex_);
    if (router_) retired_routers_.push_back(std::move(router_));
    router_ = std::move(router);
    current_router_.store(router_.get(), std::memory_order_release);
  }

  const config::Config& config() const { return config_; }
  metrics::Registry& metrics() { return metrics_; }
  TimerService& timers() { return timers_; }
  Connector* connector(const std::string& name) const;
  const std::vector<std::unique_ptr<Connector>>& connectors() const { return connectors_; }
  const std::vector<std::unique_ptr<Worker>>& workers() const { return workers_; }
  int64_t in_flight() const { return in_flight_.load(); }
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
  bool running() const { return started_.load() && !stopping_.load(); }
  // Average time a worker spends routing one message, in microseconds
  // (exponentially weighted, sampled).
  double routing_time_ewma_us() const;
  void record_routing_time(size_t worker, double microseconds);
  // Node, version, uptime, connector health and counters, as JSON text.
  std::string status_json() const;

 private:
  std::string missing_plugin_error(const config::ConnectorConfig& cc) const;
  void send_now(sluice_completion* c);
  void attempt_failed(sluice_completion* c, sluice_status status, const std::string& error);
  void failed_for_good(sluice_completion* c, const std::string& error);
  void settle_completion(sluice_completion* c, bool ok);
  bool all_sources_done() const;
  // Tells the watchdog (if any) what the run, then shutdown, is doing now.
  void note_shutdown_step(std::string step);
  // "out=3 ws=12": connectors with publishes awaiting confirmation.
  std::string unconfirmed_publishes() const;
  std::chrono::milliseconds backoff(const config::RetryPolicy& policy, int attempt);

  config::Config config_;
  const loader::PluginRegistry& plugins_;
  metrics::Registry metrics_;
  TimerService timers_;
  std::vector<std::unique_ptr<Connector>> connectors_;
  std::vector<std::unique_ptr<Worker>> workers_;
  mutable std::mutex router_mutex_;
  std::shared_ptr<const Router> router_;
  std::atomic<const Router*> current_router_{nullptr};
  std::vector<std::string> route_sources_;
  std::pair<Connector*, std::string> control_;  // connector + subject of built-in commands

  std::atomic<int64_t> in_flight_{0};
  std::mutex drain_mutex_;
  std::condition_variable drained_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> started_{false};
  std::function<ReloadResult()> reload_hook_;
  RouterFactory router_factory_ = build_router;
  std::mutex reload_mutex_;
  std::vector<std::shared_ptr<const Router>> retired_routers_;  // guarded by router_mutex_
  std::unique_ptr<std::atomic<double>[]> routing_ewma_;
  std::atomic<bool> force_stop_{false};
  std::atomic<bool> stop_requested_{false};
  bool shut_down_ = false;
  ShutdownWatchdog* watchdog_ = nullptr;
  std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();

  metrics::Counter* unrouted_;
  metrics::Histogram* latency_;
  std::mutex rng_mutex_;
  std::mt19937 rng_{std::random_device{}()};
};

}  // namespace sluice::runtime
