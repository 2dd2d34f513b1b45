// Exponential backoff with jitter: the wait after the n-th failed attempt
// is step = min(initial * 2^(n-1), max), times a random share drawn from
// [spread_low, spread_high], so that retries and reconnects of many
// instances do not move in lockstep. The host's publish retries use "equal
// jitter" (half to all of the step: never collapses to zero); the plugins'
// reconnect loops spread around the step by their `reconnect_jitter`
// setting (around(0.2) = 80% to 120%).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace sluice::common {

struct BackoffPolicy {
  int64_t initial_ms = 100;
  int64_t max_ms = 30000;
  double spread_low = 0.5;
  double spread_high = 1.0;

  // step * [1 - jitter, 1 + jitter], jitter in [0, 1].
  static BackoffPolicy around(int64_t initial_ms, int64_t max_ms, double jitter) {
    return {initial_ms, max_ms, 1.0 - jitter, 1.0 + jitter};
  }
};

// The wait after `attempt` (1 = the first) failed; `draw` in [0, 1] picks
// where in the spread it falls (0 = spread_low, 1 = spread_high). Never
// below 1 ms when the step is positive.
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
