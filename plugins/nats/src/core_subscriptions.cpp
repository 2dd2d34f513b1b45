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
  auto state = std::make_unique<Sub>();
  state->owner = this;
  state->subject = subject;
  natsSubscription* sub = nullptr;
  natsStatus s =
      settings_.queue_group.empty()
          ? natsConnection_Subscribe(&sub, nc, subject.c_str(), &on_message, state.get())
          : natsConnection_QueueSubscribe(&sub, nc, subject.c_str(), settings_.queue_group.c_str(),
                                          &on_message, state.get());
  if (s == NATS_OK)
    s = natsSubscription_SetPendingLimits(sub, settings_.pending_limit_msgs,
                                          settings_.pending_limit_bytes);
  if (s == NATS_OK) s = natsSubscription_SetOnCompleteCB(sub, &on_complete, this);
  if (s != NATS_OK) {
    error = "cannot subscribe to '" + subject + "': " + nats_error(s);
    if (sub) {
      natsSubscription_Unsubscribe(sub);
      natsSubscription_Destroy(sub);
    }
    // A message that reached the callback meanwhile was never handed over.
    for (natsMsg* m : state->held) natsMsg_Destroy(m);
    return false;
  }
  std::lock_guard lock(mutex_);
  state->sub = sub;
  subs_.push_back(std::move(state));
  return true;
}

void CoreSubscriptions::on_message(natsConnection*, natsSubscription* sub, natsMsg* msg,
                                   void* sub_state) {
  // Batches stay small enough to keep the first message's wait short.
  constexpr size_t kMostPerBatch = 256;
  auto* state = static_cast<Sub*>(sub_state);
  state->held.push_back(msg);
  int queued = 0;
  if (natsSubscription_GetPending(sub, &queued, nullptr) != NATS_OK) queued = 0;
  // What is held counts against the pending limit as if cnats still held
  // it: a host that pushes back makes the client drop (counted) beyond the
  // limit, not this batch grow past it.
  int limit = state->owner->settings_.pending_limit_msgs;
  bool within_limit =
      limit <= 0 || state->held.size() + static_cast<size_t>(queued) < static_cast<size_t>(limit);
  if (queued > 0 && state->held.size() < kMostPerBatch && within_limit)
    return;  // the next callback comes at once: hand them over together
  state->owner->deliver(state->held);
}

void CoreSubscriptions::deliver(std::vector<natsMsg*>& msgs) {
  struct Free {
    std::vector<natsMsg*>& msgs;
    ~Free() {
      for (natsMsg* m : msgs) natsMsg_Destroy(m);
      msgs.clear();
    }
  } free_after{msgs};
  GatePass pass(gate_);
  if (!pass) return;
  IncomingBatch batch(msgs, false);
  std::vector<uint64_t> ack_ids(msgs.size(), 0);  // core NATS has nothing to acknowledge
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::milliseconds(settings_.busy_wait_ms);
  size_t done = 0;
  while (done < msgs.size()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    auto wait = static_cast<uint32_t>(std::clamp<int64_t>(left.count(), 0, 100));
    size_t accepted = 0;
    Status st = host_.emit_batch(batch.messages() + done, ack_ids.data() + done, msgs.size() - done,
                                 wait, accepted);
    metrics_.received.add(static_cast<double>(accepted));
    done += accepted;
    if (st == Status::kOk) return;
    if (st == Status::kBusy) {
      if (Clock::now() < deadline && !gate_.closed()) continue;
      size_t dropped = msgs.size() - done;
      metrics_.dropped_busy.add(static_cast<double>(dropped));
      host_.logf(LogLevel::kWarn,
                 "sluice stayed busy for %lld ms: dropped %s on '%s' "
                 "(core NATS cannot redeliver; use JetStream for at-least-once)",
                 static_cast<long long>(settings_.busy_wait_ms),
                 dropped == 1 ? "a core NATS message"
                              : (std::to_string(dropped) + " core NATS messages").c_str(),
                 natsMsg_GetSubject(msgs[done]));
      return;
    }
    if (st != Status::kRejected) return;  // closed
    host_.logf(LogLevel::kWarn, "the host refused a message on '%s'",
               natsMsg_GetSubject(msgs[done]));
    ++done;
  }
}

void CoreSubscriptions::count_drops() {
  std::lock_guard lock(mutex_);
  for (auto& state : subs_) {
    Sub& s = *state;
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
    for (auto& s : subs_) subs.push_back(s->sub);
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
    natsSubscription_Unsubscribe(s->sub);  // no-op error if already drained
    lock.lock();
  }
  completed_.wait_for(lock, std::chrono::seconds(5),
                      [&] { return completed_count_ >= subs_.size(); });
  for (auto& s : subs_) {
    natsSubscription_Destroy(s->sub);
    // Held behind messages the client then dropped at unsubscribe: never
    // handed over.
    for (natsMsg* m : s->held) natsMsg_Destroy(m);
  }
  subs_.clear();
}

}  // namespace sluice::nats
