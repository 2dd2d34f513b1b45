// Exponential backoff with "equal jitter": the wait after the n-th failed
// attempt is between half and all of min(initial * 2^(n-1), max), so that
// retries and reconnects spread out (many instances do not move in
// lockstep) but never collapse to zero. The host's publish retries and the
// plugins' reconnect loops use it.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace sluice::common {

struct BackoffPolicy {
  int64_t initial_ms = 100;
  int64_t max_ms = 30000;
};

// The wait after `attempt` (1 = the first) failed; `draw` in [0, 1] picks
// where in the jitter range it falls (0 = half, 1 = all of the step).
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int attempt, double draw);

// backoff_delay with its own random draws. Not thread-safe: one per thread
// or behind the caller's lock.
class Backoff {
 public:
  Backoff() : rng_(std::random_device{}()) {}
  explicit Backoff(uint32_t seed) : rng_(seed) {}

  std::chrono::milliseconds after(const BackoffPolicy& policy, int attempt) {
    return backoff_delay(policy, attempt, std::uniform_real_distribution<double>(0.0, 1.0)(rng_));
  }

 private:
  std::mt19937 rng_;
};

}  // namespace sluice::common
