// Time as the routing blocks see it: an injected steady clock, so throttles,
// dedup windows and release timers are tested with a fake clock instead of
// sleeps.
#pragma once

#include <chrono>

namespace sluice::routing {

class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;
  virtual time_point now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
};

// Moves only when told to. Starts at an arbitrary non-zero point so that code
// which wrongly treats a zero time_point as "never" shows up in tests.
class FakeClock final : public Clock {
 public:
  FakeClock() : now_(time_point{} + std::chrono::hours(1)) {}
  time_point now() const override { return now_; }
  void advance(duration d) { now_ += d; }
  void set(time_point t) { now_ = t; }

 private:
  time_point now_;
};

}  // namespace sluice::routing
