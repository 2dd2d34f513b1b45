// Time as the throttles and token checks see it: an interface, so that unit
// tests drive rate limits and token expiry with a fake clock instead of sleeps.
#pragma once

#include <chrono>
#include <cstdint>

namespace sluice::websocket {

using TimePoint = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time for intervals and rates.
  virtual TimePoint now() const = 0;
  // Wall time in seconds since the Unix epoch, for token expiry.
  virtual int64_t unix_seconds() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  int64_t unix_seconds() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

}  // namespace sluice::websocket
