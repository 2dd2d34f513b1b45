// How long a failed publish waits before its next attempt: common's
// exponential backoff with equal jitter, from the connector's retry policy,
// shared by the workers.
#pragma once

#include <chrono>
#include <mutex>
#include <sluice/common/backoff.hpp>

#include "config/config.hpp"

namespace sluice::runtime {

class RetryBackoff {
 public:
  RetryBackoff() = default;
  explicit RetryBackoff(uint32_t seed) : backoff_(seed) {}

  // The wait after attempt `attempt` (1 = the first) failed. Thread-safe.
  std::chrono::milliseconds after(const config::RetryPolicy& policy, int attempt) {
    std::lock_guard lock(mutex_);
    return backoff_.after({policy.initial_backoff_ms, policy.max_backoff_ms}, attempt);
  }

 private:
  std::mutex mutex_;
  common::Backoff backoff_;
};

}  // namespace sluice::runtime
