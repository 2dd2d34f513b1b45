// At most one message per interval (a route's `min_interval_ms`): the
// simplest limiter, kept separate so the keyed throttle can combine it with
// a token bucket.
#pragma once

#include <optional>

#include "routing/clock.hpp"

namespace sluice::routing {

class MinInterval {
 public:
  using time_point = Clock::time_point;

  explicit MinInterval(Clock::duration interval) : interval_(interval) {}

  bool allowed(time_point now) const { return !last_ || now - *last_ >= interval_; }
  bool try_take(time_point now) {
    if (!allowed(now)) return false;
    last_ = now;
    return true;
  }
  time_point next_available(time_point now) const {
    return allowed(now) ? now : *last_ + interval_;
  }
  // From then on it behaves as if it had never been used.
  time_point idle_at(time_point now) const { return last_ ? *last_ + interval_ : now; }
  Clock::duration interval() const { return interval_; }

 private:
  Clock::duration interval_;
  std::optional<time_point> last_;
};

}  // namespace sluice::routing
