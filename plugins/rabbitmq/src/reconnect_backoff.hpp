// The delay before the next connection attempt: exponential from
// reconnect_wait_ms up to reconnect_wait_max_ms, each delay spread by
// +/- jitter so that many instances do not reconnect in lockstep.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace sluice::rabbitmq {

class ReconnectBackoff {
 public:
  ReconnectBackoff(int64_t initial_ms, int64_t max_ms, double jitter, uint32_t seed)
      : initial_ms_(initial_ms),
        max_ms_(std::max(initial_ms, max_ms)),
        jitter_(jitter),
        rng_(seed) {}

  // The delay after one more failed attempt.
  std::chrono::milliseconds next() {
    double base = static_cast<double>(initial_ms_);
    for (int i = 0; i < attempts_ && base < static_cast<double>(max_ms_); ++i) base *= 2;
    base = std::min(base, static_cast<double>(max_ms_));
    ++attempts_;
    std::uniform_real_distribution<double> spread(1.0 - jitter_, 1.0 + jitter_);
    double ms = std::clamp(base * spread(rng_), 1.0, static_cast<double>(max_ms_) * (1 + jitter_));
    return std::chrono::milliseconds(static_cast<int64_t>(ms));
  }
  // After a connection that worked: start over from initial_ms.
  void reset() { attempts_ = 0; }
  int attempts() const { return attempts_; }

 private:
  int64_t initial_ms_;
  int64_t max_ms_;
  double jitter_;
  std::mt19937 rng_;
  int attempts_ = 0;
};

}  // namespace sluice::rabbitmq
