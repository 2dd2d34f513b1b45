// Paces a generator at a fixed rate by accounting, not by sleeping a fixed
// period per message: message n is due at start + n / rate, so rounding
// and scheduling delays never accumulate into drift. Pure arithmetic on
// time points, so tests drive it with a fake clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace sluice::generate {

class Pacer {
 public:
  using Clock = std::chrono::steady_clock;

  // `rate` messages per second (> 0). `max_lag`: after falling further
  // behind than this (backpressure, a stalled machine) the schedule
  // restarts from now instead of bursting to catch up.
  Pacer(double rate, Clock::time_point start, Clock::duration max_lag = std::chrono::seconds(1))
      : rate_(rate), start_(start), max_lag_(max_lag) {}

  // When message number `n` (0-based, counted since the last rebase) is due.
  Clock::time_point due(uint64_t n) const {
    return start_ + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(static_cast<double>(n - base_) / rate_));
  }

  // Call before sending message `n` at `now`: true when it may go now
  // (within `slack` of its due time); when the schedule lags more than
  // max_lag it is moved so that `n` is due now.
  bool ready(uint64_t n, Clock::time_point now,
             Clock::duration slack = std::chrono::microseconds(200)) {
    Clock::time_point at = due(n);
    if (now - at > max_lag_) {
      start_ = now;
      base_ = n;
      return true;
    }
    return at <= now + slack;
  }

 private:
  double rate_;
  Clock::time_point start_;
  Clock::duration max_lag_;
  uint64_t base_ = 0;
};

}  // namespace sluice::generate
