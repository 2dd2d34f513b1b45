#include "runtime/connector.hpp"

#include <chrono>

namespace sluice::runtime {
namespace {
constexpr size_t kErrorCapacity = 4096;
}

Connector::Connector(Runtime& runtime, const config::ConnectorConfig& config,
                     const loader::LoadedPlugin& plugin, metrics::Registry& registry)
    : runtime_(runtime),
      config_(config),
      spreads_keyless_(config.order == "none"),
      plugin_(plugin),
      circuit_(config_.circuit),
      registry_(registry) {
  metrics::Labels labels{{"connector", config_.name}, {"plugin", plugin_.name()}};
  stats_.messages_in = &registry.counter("sluice_messages_in_total",
                                         "Messages a source connector emitted into sluice", labels);
  stats_.bytes_in = &registry.counter("sluice_bytes_in_total", "Payload bytes received", labels);
  stats_.messages_out = &registry.counter(
      "sluice_messages_out_total", "Messages a sink connector confirmed as published", labels);
  stats_.bytes_out =
      &registry.counter("sluice_bytes_out_total", "Payload bytes confirmed as published", labels);
  stats_.acked = &registry.counter("sluice_messages_acked_total",
                                   "Source messages acknowledged to their plugin", labels);
  stats_.nacked = &registry.counter("sluice_messages_nacked_total",
                                    "Source messages negatively acknowledged (redelivery)", labels);
  stats_.failed = &registry.counter("sluice_messages_failed_total",
                                    "Publish attempts that failed (before retry)", labels);
  stats_.busy = &registry.counter("sluice_ingress_busy_total",
                                  "Emits refused with BUSY because the ingress was full", labels);
  stats_.retries =
      &registry.counter("sluice_publish_retries_total", "Publish attempts retried", labels);
  stats_.circuit_rejected = &registry.counter(
      "sluice_circuit_rejected_total",
      "Publishes failed at once because the connector's circuit breaker was open", labels);
  registry.sampled_gauge(
      "sluice_circuit_state", "The connector's circuit breaker: 0 closed, 1 open, 2 half-open",
      labels, [this] { return static_cast<double>(circuit_.state()); }, this);
  registry.sampled_gauge(
      "sluice_publish_in_flight", "Publishes awaiting confirmation", labels,
      [this] { return static_cast<double>(in_flight()); }, this);
  registry.sampled_gauge(
      "sluice_publish_in_flight_capacity", "Cap on publishes awaiting confirmation (max_in_flight)",
      labels, [this] { return static_cast<double>(config_.max_in_flight); }, this);
  registry.sampled_gauge(
      "sluice_connector_up", "1 while the connector reports itself healthy (connected)", labels,
      [this] { return health().healthy ? 1.0 : 0.0; }, this);
}

Connector::~Connector() {
  registry_.detach(this);
  destroy();
}

std::string Connector::validate() const {
  char buf[8192] = "";
  sluice_error err{sizeof(sluice_error), buf, sizeof buf};
  if (vtable().validate(config_.settings_json.c_str(), &err) == SLUICE_OK) return "";
  return buf[0] ? buf : "invalid settings";
}

std::string Connector::create(const sluice_host_api* api) {
  char buf[kErrorCapacity] = "";
  sluice_error err{sizeof(sluice_error), buf, sizeof buf};
  instance_ = vtable().create(api, &handle_, config_.settings_json.c_str(), &err);
  if (!instance_) return buf[0] ? buf : "the plugin refused the configuration (no reason given)";
  return "";
}

std::string Connector::subscribe(const std::string& pattern) {
  subscribed_ = true;
  if (!vtable().subscribe) return "";
  char buf[kErrorCapacity] = "";
  sluice_error err{sizeof(sluice_error), buf, sizeof buf};
  if (vtable().subscribe(instance_, pattern.c_str(), &err) != SLUICE_OK)
    return buf[0] ? buf : "cannot subscribe to '" + pattern + "'";
  return "";
}

std::string Connector::start() {
  char buf[kErrorCapacity] = "";
  sluice_error err{sizeof(sluice_error), buf, sizeof buf};
  if (vtable().start(instance_, &err) != SLUICE_OK) return buf[0] ? buf : "failed to start";
  started_ = true;
  return "";
}

void Connector::stop() {
  if (instance_ && started_ && !stopped_) {
    stopped_ = true;
    vtable().stop(instance_);
  }
}

bool Connector::flush(uint32_t timeout_ms) {
  if (!instance_ || !vtable().flush) return true;
  return vtable().flush(instance_, timeout_ms) == SLUICE_OK;
}

void Connector::destroy() {
  if (!instance_) return;
  registry_.detach(this);  // no scrape may call into a plugin being destroyed
  stop();
  vtable().destroy(instance_);
  instance_ = nullptr;
}

ConnectorHealth Connector::health() const {
  ConnectorHealth h;
  if (!instance_) return {false, "not running"};
  if (vtable().health) {
    char buf[1024] = "";
    sluice_health out{sizeof(sluice_health), 1, buf, sizeof buf};
    vtable().health(instance_, &out);
    h.healthy = out.healthy != 0;
    h.message = buf;
  }
  // An open circuit: the plugin may still be connected, but its publishes
  // keep failing, so the connector is not healthy.
  if (std::string circuit = circuit_.open_reason(); !circuit.empty()) {
    h.healthy = false;
    h.message = h.message.empty() ? circuit : circuit + "; " + h.message;
  }
  return h;
}

sluice_status Connector::publish(const sluice_message& message, sluice_completion* completion,
                                 sluice_error& error) {
  if (!vtable().publish) return SLUICE_UNSUPPORTED;
  return vtable().publish(instance_, &message, completion, &error);
}

sluice_status Connector::request(const sluice_message& message, uint32_t timeout_ms,
                                 sluice_completion* completion, sluice_error& error) {
  if (!vtable().request) return SLUICE_UNSUPPORTED;
  return vtable().request(instance_, &message, timeout_ms, completion, &error);
}

sluice_status Connector::reply(const std::string& reply_to, const sluice_message& message,
                               sluice_completion* completion, sluice_error& error) {
  if (!vtable().reply) return SLUICE_UNSUPPORTED;
  return vtable().reply(instance_, {reply_to.data(), reply_to.size()}, &message, completion,
                        &error);
}

bool Connector::ack(uint64_t ack_id, bool ok) {
  if (!instance_) return false;
  vtable().ack(instance_, ack_id, ok ? SLUICE_OUTCOME_ACK : SLUICE_OUTCOME_NACK);
  return true;
}

bool Connector::ack_batch(const uint64_t* ack_ids, const sluice_outcome* outcomes, size_t count) {
  if (!instance_) return false;
  const sluice_plugin_vtable& v = vtable();
  if (SLUICE_HAS_FIELD(&v, sluice_plugin_vtable, ack_batch) && v.ack_batch) {
    v.ack_batch(instance_, ack_ids, outcomes, count);
  } else {
    for (size_t i = 0; i < count; ++i) v.ack(instance_, ack_ids[i], outcomes[i]);
  }
  return true;
}

bool Connector::acquire_slot(const std::atomic<bool>& cancelled) {
  int limit = max_in_flight();
  int cur = in_flight_.load(std::memory_order_relaxed);
  while (cur < limit) {
    if (in_flight_.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel)) return true;
  }
  std::unique_lock lock(slot_mutex_);
  while (true) {
    cur = in_flight_.load(std::memory_order_acquire);
    if (cur < limit && in_flight_.compare_exchange_strong(cur, cur + 1)) return true;
    if (cancelled.load()) return false;
    slot_free_.wait_for(lock, std::chrono::milliseconds(50));
  }
}

void Connector::release_slot() {
  int before = in_flight_.fetch_sub(1, std::memory_order_acq_rel);
  publishes_finished_.fetch_add(1);
  // Both loads are sequentially consistent with the waiter's increment of
  // busy_waiters_ and its check of publishes_finished_ under the lock, so
  // either it sees the new count or we see it waiting and wake it.
  bool slot_waiters = before >= max_in_flight();
  bool busy_waiters = busy_waiters_.load() > 0;
  if (!slot_waiters && !busy_waiters) return;
  std::lock_guard lock(slot_mutex_);
  if (slot_waiters) slot_free_.notify_one();
  if (busy_waiters) publish_finished_.notify_all();
}

void Connector::wait_for_finished_publish(uint64_t seen, std::chrono::milliseconds timeout) {
  busy_waiters_.fetch_add(1);
  {
    std::unique_lock lock(slot_mutex_);
    publish_finished_.wait_for(lock, timeout, [&] { return publishes_finished_.load() != seen; });
  }
  busy_waiters_.fetch_sub(1);
}

}  // namespace sluice::runtime

namespace sluice::runtime {

PluginMetric* Connector::plugin_metric(bool counter, const std::string& name,
                                       const std::string& help) {
  std::string full = "sluice_" + plugin_.name() + "_" + name;
  // Prometheus names counters <name>_total; a plugin that forgot gets the
  // suffix here, so every counter on /metrics follows the convention.
  constexpr std::string_view kCounterSuffix = "_total";
  if (counter && !std::string_view(full).ends_with(kCounterSuffix)) full += kCounterSuffix;
  std::lock_guard lock(plugin_metrics_mutex_);
  auto& slot = plugin_metrics_[full];
  if (!slot) {
    slot = std::make_unique<PluginMetric>();
    metrics::Labels labels{{"connector", config_.name}, {"plugin", plugin_.name()}};
    if (counter)
      slot->counter = &registry_.counter(full, help, labels);
    else
      slot->gauge = &registry_.gauge(full, help, labels);
  }
  return slot.get();
}

}  // namespace sluice::runtime
