#include "runtime/delivery_engine.hpp"

#include <algorithm>
#include <optional>

#include "log/logger.hpp"
#include "message/dead_letter.hpp"
#include "runtime/ack_gatherer.hpp"
#include "runtime/connector.hpp"
#include "runtime/route_stats.hpp"

namespace sluice::runtime {
namespace {
constexpr const char* kComponent = "runtime";

std::string status_name(sluice_status s) {
  switch (s) {
    case SLUICE_OK:
      return "ok";
    case SLUICE_BUSY:
      return "busy";
    case SLUICE_ERROR:
      return "error";
    case SLUICE_CLOSED:
      return "closed";
    case SLUICE_TIMEOUT:
      return "timeout";
    case SLUICE_UNSUPPORTED:
      return "unsupported";
    case SLUICE_REJECTED:
      return "rejected";
  }
  return "unknown";
}
}  // namespace

DeliveryEngine::DeliveryEngine(metrics::Registry& metrics, TimerService& timers)
    : metrics_(metrics), timers_(timers) {
  unrouted_ =
      &metrics_.counter("sluice_unrouted_total", "Messages no route matched (acked and dropped)");
  latency_ = &metrics_.histogram("sluice_end_to_end_latency_seconds",
                                 "From emit to every output confirmed (source ack)");
}

DeliveryEngine::~DeliveryEngine() {
  for (auto& w : workers_) metrics_.detach(w.get());
}

void DeliveryEngine::start_workers(size_t count, size_t queue_capacity) {
  for (size_t i = 0; i < count; ++i) {
    auto w = std::make_unique<Worker>(*this, i, queue_capacity);
    metrics::Labels labels{{"worker", std::to_string(i)}};
    Worker* raw = w.get();
    metrics_.sampled_gauge(
        "sluice_queue_depth", "Messages waiting in a worker's ingress queue", labels,
        [raw] { return static_cast<double>(raw->depth()); }, raw);
    metrics_.sampled_gauge(
        "sluice_queue_capacity", "Bound of a worker's ingress queue", labels,
        [raw] { return static_cast<double>(raw->capacity()); }, raw);
    workers_.push_back(std::move(w));
  }
  for (auto& w : workers_) w->start();
}

void DeliveryEngine::stop_workers() {
  for (auto& w : workers_) w->close();
  for (auto& w : workers_) w->join();
}

void DeliveryEngine::route(std::unique_ptr<Delivery> owned, Dispatch& worker) {
  Delivery& delivery = Delivery::open(std::move(owned));
  if (!control_ || !control_->handle(delivery, worker)) {
    const Router* router = current_router();
    if (!router || !router->route(delivery.message(), delivery, worker)) unrouted_->inc();
  }
  delivery.settle(true);  // the routing step's own reference
}

void DeliveryEngine::dispatch(Delivery& delivery, Output output, size_t worker_index) {
  delivery.hold();
  auto c = std::make_unique<sluice_completion>();
  c->engine = this;
  c->delivery = &delivery;
  c->output = std::move(output);
  c->worker = worker_index;
  send_now(std::move(c));
}

void DeliveryEngine::dispatch_unowned(Output output, size_t worker_index) {
  auto c = std::make_unique<sluice_completion>();
  c->engine = this;
  c->output = std::move(output);
  c->worker = worker_index;
  send_now(std::move(c));
}

void DeliveryEngine::send_now(CompletionPtr c) {
  // Past the shutdown deadline nothing more is sent: what the workers still
  // hold goes back to its source (nack) at once, without a publish attempt
  // or a log line each, so that the graceful path ends in time.
  if (force_stop_.load()) {
    settle(std::move(c), false);
    return;
  }
  Connector* target = c->output.target.connector;
  if (!target->circuit().allow()) {
    // Fail fast: no slot, no attempt, no retries; a fallback group moves on
    // and a dead letter goes out now.
    target->stats().circuit_rejected->inc();
    failed_for_good(std::move(c), target->circuit().open_reason());
    return;
  }
  // A worker about to wait hands over the acks it gathered first: they
  // must not wait behind a stalled sink (a JetStream ack_wait, a file
  // checkpoint).
  if (target->in_flight() >= target->max_in_flight()) hand_over_gathered_acks();
  if (!target->acquire_slot(force_stop_)) {
    failed_for_good(std::move(c), "shutting down before the message could be sent");
    return;
  }
  message::Envelope::CView view;
  c->output.message->to_c(view);
  const std::string& subject = c->output.target.subject;
  view.message.subject = {subject.data(), subject.size()};
  if (c->attempt == 1 && taps_ && taps_->active()) {
    // Once per output (and once more for its dead letter), not per retry.
    const Output& out = c->output;
    taps_->offer({tap::Direction::kOut, target->name(), out.route ? out.route->name : "",
                  *out.message, subject});
  }
  auto backoff_ms = 1;
  while (true) {
    char buf[2048] = "";
    sluice_error err{sizeof(sluice_error), buf, sizeof buf};
    sluice_status s = SLUICE_UNSUPPORTED;
    // The plugin may complete the record before the call returns, so it is
    // the plugin's during the call; it comes back only when not taken.
    uint64_t finished_before = target->publishes_finished();
    sluice_completion* lent = c.release();
    switch (lent->output.kind) {
      case OutputKind::kPublish:
        s = target->publish(view.message, lent, err);
        break;
      case OutputKind::kReply:
        s = target->reply(lent->output.message->reply_to, view.message, lent, err);
        break;
      case OutputKind::kRequest:
        s = target->request(view.message, lent->output.timeout_ms, lent, err);
        break;
    }
    if (s == SLUICE_OK) return;  // complete() adopts it back
    c.reset(lent);
    if (s == SLUICE_BUSY && !force_stop_.load()) {
      // The sink's own queue is full: wait here until one of its publishes
      // finishes (or the backoff passes). This blocks the worker, its
      // ingress fills, and sources get BUSY: backpressure end to end.
      hand_over_gathered_acks();
      target->wait_for_finished_publish(finished_before, std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min(backoff_ms * 2, 50);
      continue;
    }
    target->release_slot();
    // A failure of the connector counts towards its circuit; a refusal of
    // this one message (invalid, unsupported) says nothing about it.
    if (s == SLUICE_ERROR)
      target->circuit().on_failure();
    else
      target->circuit().on_no_verdict();
    std::string text = buf[0] ? buf : "publish returned " + status_name(s);
    if (s == SLUICE_ERROR)
      attempt_failed(std::move(c), s, text);
    else
      failed_for_good(std::move(c), text);
    return;
  }
}

void DeliveryEngine::complete(sluice_completion* completion, sluice_status status,
                              const char* error, const sluice_message* reply) {
  CompletionPtr c(completion);  // back from the plugin (see completion.hpp)
  Connector* target = c->output.target.connector;
  target->release_slot();
  if (status == SLUICE_OK) {
    target->circuit().on_success();
    target->stats().messages_out->inc();
    target->stats().bytes_out->add(static_cast<double>(c->output.message->payload.size()));
    if (c->output.on_reply) {
      message::EnvelopePtr answer = reply ? message::Envelope::from_c(*reply) : nullptr;
      c->output.on_reply(SLUICE_OK, "", answer);
    }
    settle(std::move(c), true);
    return;
  }
  if (status == SLUICE_ERROR || status == SLUICE_TIMEOUT)
    target->circuit().on_failure();
  else
    target->circuit().on_no_verdict();
  std::string text = error && *error ? error : "completed with status " + status_name(status);
  if (status == SLUICE_ERROR ||
      (status == SLUICE_TIMEOUT && c->output.kind != OutputKind::kRequest))
    attempt_failed(std::move(c), status, text);
  else
    failed_for_good(std::move(c), text);
}

void DeliveryEngine::attempt_failed(CompletionPtr c, sluice_status status,
                                    const std::string& error) {
  Connector* target = c->output.target.connector;
  target->stats().failed->inc();
  c->last_error = error;
  const auto& policy = target->config().retry;
  if (c->output.kind == OutputKind::kRequest || c->attempt >= policy.max_attempts ||
      force_stop_.load()) {
    failed_for_good(std::move(c), error);
    return;
  }
  target->stats().retries->inc();
  auto delay = backoff_.after(policy, c->attempt);
  ++c->attempt;
  log::warn(target->name(), "publish failed (" + status_name(status) + "): " + error +
                                "; retrying (attempt " + std::to_string(c->attempt) + " of " +
                                std::to_string(policy.max_attempts) + ")");
  Worker* owner = workers_[c->worker % workers_.size()].get();
  auto box = std::make_shared<CompletionPtr>(std::move(c));
  timers_.start(delay, std::chrono::milliseconds(0), [this, owner, box] {
    // Back on the worker that owns the message's key, so order and
    // thread rules hold; push_always: this message is already counted.
    owner->post([this, box] { send_now(std::move(*box)); });
  });
}

void DeliveryEngine::failed_for_good(CompletionPtr c, const std::string& error) {
  Output& out = c->output;
  if (out.kind == OutputKind::kRequest && out.on_reply) {
    out.on_reply(SLUICE_ERROR, error, nullptr);
    settle(std::move(c), true);  // the script decides what a failed request means
    return;
  }
  const std::string& failed = out.target.connector->name();
  if (!c->to_dead_letter && out.dead_letter && out.dead_letter->connector && !force_stop_.load()) {
    if (out.route) out.route->dead_lettered.inc();
    log::warn(out.route ? out.route->name : kComponent,
              "output " + failed + " failed for good: " + error + "; sending to dead letter " +
                  out.dead_letter->connector->name());
    c->to_dead_letter = true;
    c->attempt = 1;
    out.message = message::dead_letter_of(*out.message, error, failed);
    out.target = *out.dead_letter;
    out.kind = OutputKind::kPublish;
    send_now(std::move(c));
    return;
  }
  if (out.route) out.route->failed.inc();
  log::error(
      out.route ? out.route->name : kComponent,
      "output " + failed + " failed for good: " + error + "; the source message will be nacked");
  settle(std::move(c), false);
}

void DeliveryEngine::settle(CompletionPtr c, bool ok) {
  Delivery* delivery = c->delivery;
  c.reset();
  if (delivery) delivery->settle(ok);  // null: an unowned request
}

void DeliveryEngine::finish(std::unique_ptr<Delivery> delivery, bool ok) {
  Connector& source = delivery->source();
  latency_->observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - delivery->received_at())
          .count());
  if (AckGatherer* gathered = AckGatherer::on_this_thread()) {
    // Still in flight until the worker hands the ack over (acks_delivered):
    // a drain must not see zero while an ack waits in the gatherer.
    gathered->add(source, delivery->ack_id(), ok);
    return;
  }
  if (source.ack(delivery->ack_id(), ok))
    (ok ? source.stats().acked : source.stats().nacked)->inc();
  delivery.reset();
  acks_delivered(1);
}

void DeliveryEngine::hand_over_gathered_acks() {
  if (AckGatherer* gathered = AckGatherer::on_this_thread()) acks_delivered(gathered->flush());
}

void DeliveryEngine::acks_delivered(size_t count) {
  auto n = static_cast<int64_t>(count);
  if (n > 0 && in_flight_.fetch_sub(n, std::memory_order_acq_rel) == n) wake();
}

bool DeliveryEngine::wait_drained(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(drain_mutex_);
  return drained_.wait_until(lock, deadline, [&] { return in_flight_.load() == 0; });
}

void DeliveryEngine::wake() {
  std::lock_guard lock(drain_mutex_);
  drained_.notify_all();
}

}  // namespace sluice::runtime
