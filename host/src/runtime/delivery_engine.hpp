// The delivery path of every source message: ingest into a worker's
// bounded queue, the routing step, each output's publish, request or reply
// and its completion, retries with backoff, dead letters, and the source's
// ack once every output settled. Owns the workers; the Runtime owns the
// lifecycle around it.
#pragma once

#include <sluice/plugin.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "metrics/registry.hpp"
#include "runtime/completion.hpp"
#include "runtime/control_commands.hpp"
#include "runtime/delivery.hpp"
#include "runtime/output.hpp"
#include "runtime/retry_backoff.hpp"
#include "runtime/router.hpp"
#include "runtime/timer_service.hpp"
#include "runtime/worker.hpp"
#include "tap/tap.hpp"

namespace sluice::runtime {

class DeliveryEngine : public DeliveryOwner {
 public:
  DeliveryEngine(metrics::Registry& metrics, TimerService& timers);
  ~DeliveryEngine() override;
  DeliveryEngine(const DeliveryEngine&) = delete;
  DeliveryEngine& operator=(const DeliveryEngine&) = delete;

  // --- set up before start_workers() ---
  // Built-in commands answered ahead of the router (control_subject).
  void set_control(std::unique_ptr<ControlCommands> control) { control_ = std::move(control); }
  const ControlCommands* control() const { return control_.get(); }
  // The router for the next message: one atomic load on the hot path. The
  // caller keeps it alive until shutdown.
  void use_router(const Router* router) { router_.store(router, std::memory_order_release); }
  const Router* current_router() const { return router_.load(std::memory_order_acquire); }

  // Where copies of the messages going in and out go for `sluice tap`.
  void set_taps(const tap::TapHub* taps) { taps_ = taps; }

  void start_workers(size_t count, size_t queue_capacity);
  const std::vector<std::unique_ptr<Worker>>& workers() const { return workers_; }

  // --- the host API (any plugin thread) ---
  sluice_status ingest(Connector& source, const sluice_message* message, uint64_t ack_id,
                       uint32_t wait_ms);
  // emit_batch: takes a prefix of `count` messages (see plugin.h).
  sluice_status ingest_batch(Connector& source, const sluice_message* messages,
                             const uint64_t* ack_ids, size_t count, uint32_t wait_ms,
                             size_t& accepted);
  void complete(sluice_completion* completion, sluice_status status, const char* error,
                const sluice_message* reply);

  // --- workers ---
  // The routing step: control commands, then the router.
  void route(std::unique_ptr<Delivery> delivery, Dispatch& worker);
  // Sends one output; `delivery` is held until it settles.
  void dispatch(Delivery& delivery, Output output, size_t worker_index);
  // A request of no message's: nothing is settled when it ends.
  void dispatch_unowned(Output output, size_t worker_index);
  // Acks (or nacks) a settled delivery's source and frees the record.
  void finish(std::unique_ptr<Delivery> delivery, bool ok) override;
  // `count` gathered acks reached their sources (see AckGatherer).
  void acks_delivered(size_t count);
  // This worker's gathered acks, handed over now (before it may block).
  void hand_over_gathered_acks();

  // --- shutdown ---
  // Source messages accepted and not yet settled.
  int64_t in_flight() const { return in_flight_.load(); }
  // Waits until nothing is in flight or `deadline`. True when drained.
  bool wait_drained(std::chrono::steady_clock::time_point deadline);
  // Makes a waiter look again (a source finished, a stop was requested).
  void wake();
  // From now on ingest answers SLUICE_CLOSED.
  void close_ingress() { closed_.store(true); }
  bool ingress_closed() const { return closed_.load(); }
  // Past the shutdown deadline: nothing more is sent or retried; what the
  // workers still hold goes back to its source (nack) at once.
  void force_stop() { force_stop_.store(true); }
  // Closes the worker queues and joins the threads.
  void stop_workers();

 private:
  void send_now(CompletionPtr c);
  void attempt_failed(CompletionPtr c, sluice_status status, const std::string& error);
  void failed_for_good(CompletionPtr c, const std::string& error);
  void settle(CompletionPtr c, bool ok);

  // Ingest's steps (ingest.cpp), shared by emit and emit_batch.
  struct Prepared {
    Worker::Incoming incoming;
    size_t worker = 0;
    size_t bytes = 0;
    std::optional<tap::TapHub::Pending> tapped;
  };
  std::optional<sluice_status> refuse_before_copy(Connector& source, uint32_t wait_ms);
  bool admitted(Connector& source, uint32_t wait_ms) const;
  // When a message arrived: its default timestamp and where its latency
  // is measured from. Read once per emit_batch call, not per message.
  struct Arrival {
    int64_t wall_ms;
    std::chrono::steady_clock::time_point steady;
    static Arrival now();
  };
  Prepared prepare(Connector& source, const sluice_message& message, uint64_t ack_id,
                   const Arrival& at) const;
  void count_accepted(Connector& source, size_t bytes, std::optional<tap::TapHub::Pending> tapped);
  sluice_status not_taken(Connector& source);

  metrics::Registry& metrics_;
  TimerService& timers_;
  std::unique_ptr<ControlCommands> control_;
  std::atomic<const Router*> router_{nullptr};
  std::vector<std::unique_ptr<Worker>> workers_;
  const tap::TapHub* taps_ = nullptr;
  RetryBackoff backoff_;

  std::atomic<int64_t> in_flight_{0};
  std::mutex drain_mutex_;
  std::condition_variable drained_;
  std::atomic<bool> closed_{false};
  std::atomic<bool> force_stop_{false};

  metrics::Counter* unrouted_;
  metrics::Histogram* latency_;
};

}  // namespace sluice::runtime
