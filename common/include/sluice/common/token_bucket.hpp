// A token bucket (rate per second, burst) in exact integer arithmetic, so
// that "when does the next token free" has one right answer to the
// nanosecond and a fake-clock test can assert it. Time is always passed in
// (`now`), never read: the host's route throttles and the websocket plugin's
// per-client throttles drive it from their own (injectable) clocks.
#pragma once

#include <chrono>
#include <cstdint>

namespace sluice::common {

class TokenBucket {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  // `rate_per_second` > 0 (kept to 1/1000 of a token per second);
  // `burst` >= 1 tokens (clamped to [1, 1000000]). The bucket starts full at `now`.
  TokenBucket(double rate_per_second, uint32_t burst, time_point now);

  // Takes a token if one is there at `now`.
  bool try_take(time_point now);
  // The earliest time at which a token is there (`now` or earlier when
  // there is one already). Exact: a token becomes available at this
  // nanosecond, not one nanosecond later.
  time_point next_available(time_point now) const;
  // The time at which the bucket is full again (then it is equivalent to a
  // new bucket and may be forgotten).
  time_point full_at() const;

  uint32_t burst() const { return burst_; }
  // Whole tokens available at `now`.
  uint64_t tokens(time_point now) const;

 private:
  // One token is kUnitsPerToken credit units; credit grows by
  // rate_milli_ units per nanosecond (rate_milli_ = tokens per 1000 s).
  static constexpr int64_t kUnitsPerToken = 1'000'000'000'000;

  int64_t credit_at(time_point now) const;
  void refill(time_point now);

  int64_t rate_milli_;
  uint32_t burst_;
  int64_t capacity_;
  int64_t credit_;
  time_point updated_;
};

}  // namespace sluice::common
