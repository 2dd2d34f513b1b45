// How long a failed publish waits before its next attempt: exponential
// from the connector's initial backoff, capped, with "equal jitter" (half
// fixed, half random) so retries spread out but never collapse to zero.
#pragma once

#include <chrono>
#include <mutex>
#include <random>

#include "config/config.hpp"

namespace sluice::runtime {

class RetryBackoff {
 public:
  RetryBackoff() : rng_(std::random_device{}()) {}
  explicit RetryBackoff(uint32_t seed) : rng_(seed) {}

  // The wait after attempt `attempt` (1 = the first) failed. Thread-safe.
  std::chrono::milliseconds after(const config::RetryPolicy& policy, int attempt);

 private:
  std::mutex mutex_;
  std::mt19937 rng_;
};

}  // namespace sluice::runtime
