// One configured instance of a plugin: owns the plugin's instance, the
// host-side handle given to it, its counters, and the cap on publishes
// still awaiting confirmation (a stalled sink blocks here, bounded). The
// only caller of the plugin's function table.
#pragma once

#include <sluice/plugin.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "config/config.hpp"
#include "loader/plugin_registry.hpp"
#include "metrics/registry.hpp"
#include "runtime/circuit_breaker.hpp"

namespace sluice::runtime {
class Connector;
}

// The ABI's opaque host handle: one per connector.
struct sluice_host {
  sluice::runtime::Connector* connector;
};

namespace sluice::runtime {

class Runtime;

// What a plugin's sluice_metric handle points to.
struct PluginMetric {
  metrics::Counter* counter = nullptr;
  metrics::Gauge* gauge = nullptr;
};

struct ConnectorHealth {
  bool healthy = true;
  std::string message;
};

struct ConnectorStats {
  metrics::Counter* messages_in;
  metrics::Counter* bytes_in;
  metrics::Counter* messages_out;
  metrics::Counter* bytes_out;
  metrics::Counter* acked;
  metrics::Counter* nacked;
  metrics::Counter* failed;  // publish attempts that failed
  metrics::Counter* busy;    // emits refused because the ingress was full
  metrics::Counter* retries;
  metrics::Counter* circuit_rejected;  // publishes failed at once by an open circuit
};

class Connector {
 public:
  Connector(Runtime& runtime, const config::ConnectorConfig& config,
            const loader::LoadedPlugin& plugin, metrics::Registry& registry);
  ~Connector();
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  const std::string& name() const { return config_.name; }
  const config::ConnectorConfig& config() const { return config_; }
  const loader::LoadedPlugin& plugin() const { return plugin_; }
  bool is_source() const { return plugin_.has(SLUICE_CAP_SOURCE); }
  bool is_sink() const { return plugin_.has(SLUICE_CAP_SINK); }
  bool can_request() const { return plugin_.has(SLUICE_CAP_REQUEST); }
  // `order: none`: keyless messages need not keep their order.
  bool spreads_keyless() const { return spreads_keyless_; }
  // Numbers this source's keyless messages for spreading (any thread).
  uint64_t next_spread_index() { return spread_index_.fetch_add(1, std::memory_order_relaxed); }
  Runtime& runtime() { return runtime_; }
  sluice_instance* instance() const { return instance_; }
  sluice_host* handle() { return &handle_; }
  ConnectorStats& stats() { return stats_; }
  CircuitBreaker& circuit() { return circuit_; }
  const CircuitBreaker& circuit() const { return circuit_; }

  // The plugin's verdict on the connector's settings, without creating an
  // instance. Returns "" or the plugin's error text.
  std::string validate() const;
  // Creates the plugin instance. Returns "" or the plugin's error text.
  std::string create(const sluice_host_api* api);
  std::string subscribe(const std::string& pattern);
  std::string start();
  void stop();
  bool flush(uint32_t timeout_ms);
  void destroy();
  ConnectorHealth health() const;

  // Sends one message: SLUICE_OK means the plugin took `completion` and will
  // complete it; anything else (SLUICE_UNSUPPORTED when the plugin has no
  // such function) leaves it with the caller, with any reason in `error`.
  sluice_status publish(const sluice_message& message, sluice_completion* completion,
                        sluice_error& error);
  sluice_status request(const sluice_message& message, uint32_t timeout_ms,
                        sluice_completion* completion, sluice_error& error);
  sluice_status reply(const std::string& reply_to, const sluice_message& message,
                      sluice_completion* completion, sluice_error& error);
  // Tells the plugin the outcome of a message it emitted. False (nothing
  // told) once the instance is destroyed.
  bool ack(uint64_t ack_id, bool ok);
  // Several at once: the plugin's ack_batch (ABI 1.2), else one ack each.
  bool ack_batch(const uint64_t* ack_ids, const sluice_outcome* outcomes, size_t count);

  // Publish slots (max_in_flight). acquire waits until one is free or
  // `cancelled` turns true; returns false in that case.
  bool acquire_slot(const std::atomic<bool>& cancelled);
  void release_slot();
  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  int max_in_flight() const { return config_.max_in_flight > 0 ? config_.max_in_flight : 1; }

  // How many publishes of this connector have finished so far. A sink that
  // answered BUSY has room again once one of its publishes finishes, so a
  // worker waits for this to move past what it saw before publishing
  // (at most `timeout`, for a sink whose BUSY clears some other way).
  uint64_t publishes_finished() const { return publishes_finished_.load(); }
  void wait_for_finished_publish(uint64_t seen, std::chrono::milliseconds timeout);

  // The plugin's own metric `name`, registered on first use.
  PluginMetric* plugin_metric(bool counter, const std::string& name, const std::string& help);

  void mark_finished() { finished_.store(true); }
  bool finished() const { return finished_.load(); }
  bool started() const { return started_; }
  // True once a route (or the control subject) subscribed to it: it is read from.
  bool subscribed() const { return subscribed_; }

 private:
  const sluice_plugin_vtable& vtable() const { return *plugin_.descriptor->vtable; }

  Runtime& runtime_;
  config::ConnectorConfig config_;
  bool spreads_keyless_ = false;
  std::atomic<uint64_t> spread_index_{0};
  const loader::LoadedPlugin& plugin_;
  sluice_host handle_{this};
  CircuitBreaker circuit_;
  sluice_instance* instance_ = nullptr;
  ConnectorStats stats_{};
  bool started_ = false;
  bool stopped_ = false;
  bool subscribed_ = false;
  std::atomic<bool> finished_{false};

  metrics::Registry& registry_;
  std::mutex plugin_metrics_mutex_;
  std::map<std::string, std::unique_ptr<PluginMetric>> plugin_metrics_;

  std::mutex slot_mutex_;
  std::condition_variable slot_free_;
  std::atomic<int> in_flight_{0};
  std::condition_variable publish_finished_;
  std::atomic<uint64_t> publishes_finished_{0};
  std::atomic<int> busy_waiters_{0};
};

}  // namespace sluice::runtime
