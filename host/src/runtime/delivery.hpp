// The at-least-once bookkeeping of one source message: how many outputs
// are still pending, and whether any failed for good. When the last one
// settles, the source is acked (or nacked) exactly once.
#pragma once

#include <atomic>
#include <chrono>

#include "runtime/envelope.hpp"

namespace sluice::runtime {

class Runtime;

class Delivery {
 public:
  Delivery(Runtime& runtime, EnvelopePtr source) : runtime_(runtime), source_(std::move(source)) {}

  const EnvelopePtr& source() const { return source_; }

  // Each output (and the routing step itself) holds one reference.
  void hold() { pending_.fetch_add(1, std::memory_order_relaxed); }
  // Settles one reference; the last one acks or nacks the source and
  // deletes this object.
  void settle(bool ok) {
    if (!ok) failed_.store(true, std::memory_order_relaxed);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) finish();
  }
  // Marks the message as failed without settling (e.g. a dead letter also
  // failed), so the source gets a nack.
  void mark_failed() { failed_.store(true, std::memory_order_relaxed); }

 private:
  void finish();  // defined in runtime.cpp: needs the Runtime

  Runtime& runtime_;
  EnvelopePtr source_;
  std::atomic<int> pending_{1};  // the routing step
  std::atomic<bool> failed_{false};
};

}  // namespace sluice::runtime
