// Core NATS subscriptions feeding the host (see core_subscriptions.hpp).
#include "core_subscriptions.hpp"

#include <algorithm>
#include <chrono>

#include "connection.hpp"
#include "message.hpp"

namespace sluice::nats {

CoreSubscriptions::CoreSubscriptions(const Host& host, const NatsSettings& settings,
                                     PluginMetrics& metrics)
    : host_(host), settings_(settings), metrics_(metrics) {}

CoreSubscriptions::~CoreSubscriptions() { destroy(); }

bool CoreSubscriptions::subscribe(natsConnection* nc, const std::string& subject,
                                  std::string& error) {
  natsSubscription* sub = nullptr;
  natsStatus s =
      settings_.queue_group.empty()
          ? natsConnection_Subscribe(&sub, nc, subject.c_str(), &on_message, this)
          : natsConnection_QueueSubscribe(&sub, nc, subject.c_str(), settings_.queue_group.c_str(),
                                          &on_message, this);
  if (s == NATS_OK)
    s = natsSubscription_SetPendingLimits(sub, settings_.pending_limit_msgs,
                                          settings_.pending_limit_bytes);
  if (s == NATS_OK) s = natsSubscription_SetOnCompleteCB(sub, &on_complete, this);
  if (s != NATS_OK) {
    error = "cannot subscribe to '" + subject + "': " + nats_error(s);
    if (sub) natsSubscription_Destroy(sub);
    return false;
  }
  std::lock_guard lock(mutex_);
  subs_.push_back(Sub{sub, subject, 0});
  return true;
}

void CoreSubscriptions::on_message(natsConnection*, natsSubscription*, natsMsg* msg,
                                   void* closure) {
  static_cast<CoreSubscriptions*>(closure)->deliver(msg);
}

void CoreSubscriptions::deliver(natsMsg* raw) {
  NatsMsgPtr msg(raw);
  GatePass pass(gate_);
  if (!pass) return;
  IncomingMessage in(raw, false);
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::milliseconds(settings_.busy_wait_ms);
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    auto wait = static_cast<uint32_t>(std::clamp<int64_t>(left.count(), 0, 100));
    // Core NATS has nothing to acknowledge: ack_id 0.
    Status st = host_.emit(in.message(), 0, wait);
    if (st == Status::kOk) {
      metrics_.received.add(1);
      return;
    }
    if (st == Status::kBusy) {
      if (Clock::now() < deadline && !gate_.closed()) continue;
      metrics_.dropped_busy.add(1);
      host_.logf(LogLevel::kWarn,
                 "sluice stayed busy for %lld ms: dropped a core NATS message on '%s' "
                 "(core NATS cannot redeliver; use JetStream for at-least-once)",
                 static_cast<long long>(settings_.busy_wait_ms), natsMsg_GetSubject(raw));
      return;
    }
    if (st != Status::kClosed)
      host_.logf(LogLevel::kWarn, "the host refused a message on '%s' (status %d)",
                 natsMsg_GetSubject(raw), static_cast<int>(st));
    return;
  }
}

void CoreSubscriptions::count_drops() {
  std::lock_guard lock(mutex_);
  for (auto& s : subs_) {
    int64_t dropped = 0;
    if (natsSubscription_GetDropped(s.sub, &dropped) != NATS_OK) continue;
    if (dropped > s.dropped_seen) {
      int64_t delta = dropped - s.dropped_seen;
      s.dropped_seen = dropped;
      metrics_.dropped_slow_consumer.add(static_cast<double>(delta));
      host_.logf(LogLevel::kWarn,
                 "slow consumer: the NATS client dropped %lld messages on '%s' (pending limits "
                 "%d msgs / %d bytes)",
                 static_cast<long long>(delta), s.subject.c_str(), settings_.pending_limit_msgs,
                 settings_.pending_limit_bytes);
    }
  }
}

void CoreSubscriptions::stop(int64_t drain_timeout_ms) {
  std::vector<natsSubscription*> subs;
  {
    std::lock_guard lock(mutex_);
    for (auto& s : subs_) subs.push_back(s.sub);
  }
  // Drain: the server stops sending, and what the client holds is still
  // delivered. If the connection is down, just unsubscribe.
  for (auto* sub : subs)
    if (natsSubscription_DrainTimeout(sub, drain_timeout_ms) != NATS_OK)
      natsSubscription_Unsubscribe(sub);
  for (auto* sub : subs) natsSubscription_WaitForDrainCompletion(sub, drain_timeout_ms);
  count_drops();
  gate_.close_and_wait(std::chrono::milliseconds(drain_timeout_ms));
}

void CoreSubscriptions::on_complete(void* closure) {
  auto* self = static_cast<CoreSubscriptions*>(closure);
  // Signalled under the lock: destroy() may free this object once it sees it.
  std::lock_guard lock(self->mutex_);
  ++self->completed_count_;
  self->completed_.notify_all();
}

void CoreSubscriptions::destroy() {
  std::unique_lock lock(mutex_);
  if (subs_.empty()) return;
  for (auto& s : subs_) {
    lock.unlock();
    natsSubscription_Unsubscribe(s.sub);  // no-op error if already drained
    lock.lock();
  }
  completed_.wait_for(lock, std::chrono::seconds(5),
                      [&] { return completed_count_ >= subs_.size(); });
  for (auto& s : subs_) natsSubscription_Destroy(s.sub);
  subs_.clear();
}

}  // namespace sluice::nats
