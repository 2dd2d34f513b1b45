// Core NATS subscriptions feeding the host. cnats delivers on its own
// threads, one message per callback; a callback that sees more messages
// queued behind its own keeps it, and the one that finds the queue empty
// (or a full batch) hands them all to the host in one emit_batch call. When
// sluice's ingress is full the callback waits up to busy_wait_ms (the only
// push-back core NATS has: meanwhile the client buffers up to the pending
// limits) and then drops what it holds, counted.
#pragma once

#include <nats/nats.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <sluice/plugin.hpp>
#include <string>
#include <vector>

#include "callback_gate.hpp"
#include "nats_metrics.hpp"
#include "nats_settings.hpp"

namespace sluice::nats {

class CoreSubscriptions {
 public:
  CoreSubscriptions(const Host& host, const NatsSettings& settings, PluginMetrics& metrics);
  ~CoreSubscriptions();
  CoreSubscriptions(const CoreSubscriptions&) = delete;
  CoreSubscriptions& operator=(const CoreSubscriptions&) = delete;

  // Subscribes to `subject` (with the queue group, if any).
  bool subscribe(natsConnection* nc, const std::string& subject, std::string& error);
  // Adds messages the client dropped over its pending limits to the metric.
  void count_drops();
  // Drains the subscriptions (messages already received are still emitted,
  // within drain_timeout_ms), then closes the gate: no emit after this.
  void stop(int64_t drain_timeout_ms);
  // Frees the subscriptions once cnats is done with them.
  void destroy();

 private:
  struct Sub {
    CoreSubscriptions* owner = nullptr;
    natsSubscription* sub = nullptr;
    std::string subject;
    int64_t dropped_seen = 0;
    // Received, not yet handed to the host. cnats runs one subscription's
    // callbacks one at a time, so only that callback touches it.
    std::vector<natsMsg*> held;
  };
  static void on_message(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* sub_state);
  static void on_complete(void* self);
  // Hands `msgs` to the host and frees them.
  void deliver(std::vector<natsMsg*>& msgs);

  const Host& host_;
  const NatsSettings& settings_;
  PluginMetrics& metrics_;
  CallbackGate gate_;

  std::mutex mutex_;
  std::condition_variable completed_;
  std::vector<std::unique_ptr<Sub>> subs_;  // stable: callbacks hold a Sub*
  size_t completed_count_ = 0;
};

}  // namespace sluice::nats
