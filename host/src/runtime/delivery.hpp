// The at-least-once record of one source message while it is routed: the
// message, the connector it came from and the plugin's id for acking it,
// and how many outputs are still pending. When the last one settles, the
// source is acked (or nacked) exactly once.
//
// Ownership: DeliveryEngine::ingest makes a Delivery as a unique_ptr, which
// travels in a worker's queue as one. Delivery::open() hands it to the
// record's own pending count when routing starts (the routing step holds
// the first reference); the settle() that takes the count to zero adopts it
// back into a unique_ptr for its DeliveryOwner (the engine), which acks and
// frees it. Nothing else frees a Delivery.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "message/envelope.hpp"

namespace sluice::runtime {

class Connector;
class Delivery;

// Takes a delivery back when its last hold settled: acks (ok) or nacks its
// source, and frees it.
class DeliveryOwner {
 public:
  virtual ~DeliveryOwner() = default;
  virtual void finish(std::unique_ptr<Delivery> delivery, bool ok) = 0;
};

class Delivery {
 public:
  using Clock = std::chrono::steady_clock;

  Delivery(DeliveryOwner& owner, message::EnvelopePtr message, Connector& source, uint64_t ack_id,
           Clock::time_point received_at)
      : owner_(owner),
        message_(std::move(message)),
        source_(source),
        ack_id_(ack_id),
        received_at_(received_at) {}
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;

  // Starts routing: from here on the pending count owns the record, and
  // the routing step holds its first reference (settle it when done).
  static Delivery& open(std::unique_ptr<Delivery> delivery) { return *delivery.release(); }

  const message::EnvelopePtr& message() const { return message_; }
  Connector& source() const { return source_; }
  uint64_t ack_id() const { return ack_id_; }
  Clock::time_point received_at() const { return received_at_; }

  // Each output (and the routing step itself) holds one reference.
  void hold() { pending_.fetch_add(1, std::memory_order_relaxed); }
  // Settles one reference; the last one acks or nacks the source and
  // frees this record.
  void settle(bool ok) {
    if (!ok) failed_.store(true, std::memory_order_relaxed);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) finish();
  }
  // Marks the message as failed without settling (e.g. a dead letter also
  // failed), so the source gets a nack.
  void mark_failed() { failed_.store(true, std::memory_order_relaxed); }

 private:
  void finish() {
    // The one place a Delivery is adopted back (see above): the pending
    // count that owned it reached zero.
    owner_.finish(std::unique_ptr<Delivery>(this), !failed_.load(std::memory_order_relaxed));
  }

  DeliveryOwner& owner_;
  message::EnvelopePtr message_;
  Connector& source_;
  uint64_t ack_id_;
  Clock::time_point received_at_;
  std::atomic<int> pending_{1};  // the routing step
  std::atomic<bool> failed_{false};
};

}  // namespace sluice::runtime
