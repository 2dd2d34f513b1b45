// Timers on a virtual clock that moves only when told to: `sluice test`
// advances it (advance_ms), and throttle releases, retries and plugin
// timers fire in due order without anyone waiting in real time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "runtime/timer_service.hpp"

namespace sluice::runtime {

// A clock readable from any thread while the test thread moves it.
class VirtualClock final : public routing::Clock {
 public:
  time_point now() const override { return time_point(duration(ticks_.load())); }
  void set(time_point t) { ticks_.store(t.time_since_epoch().count()); }

 private:
  // Starts an hour in, like routing::FakeClock: code that treats a zero
  // time_point as "never" shows up.
  std::atomic<duration::rep> ticks_{
      std::chrono::duration_cast<duration>(std::chrono::hours(1)).count()};
};

class VirtualTimerService final : public TimerService {
 public:
  uint64_t start(std::chrono::milliseconds delay, std::chrono::milliseconds period,
                 std::function<void()> fn) override;
  void cancel(uint64_t id) override;
  // Runs at the next run_due(), at the current virtual time.
  void post(std::function<void()> fn) override;
  void shutdown() override;
  const routing::Clock& clock() const override { return clock_; }

  // Runs the earliest timer due at or before `until` (moving the clock to
  // its due time first) and returns true, or moves the clock to `until` and
  // returns false when none is. The caller lets the work a timer started
  // settle between calls, so that each fires at its own virtual moment.
  bool fire_next(routing::Clock::time_point until);
  // When the earliest armed timer is due; nothing when none is armed.
  std::optional<routing::Clock::time_point> next_due() const;

 private:
  struct Entry {
    uint64_t id;
    std::chrono::milliseconds period;
    std::function<void()> fn;
  };

  mutable std::mutex mutex_;
  VirtualClock clock_;
  // Due time, then arming order: timers due at one moment fire in the
  // order they were started.
  std::multimap<std::pair<routing::Clock::time_point, uint64_t>, Entry> armed_;
  uint64_t next_id_ = 1;
  bool shut_down_ = false;
};

}  // namespace sluice::runtime
