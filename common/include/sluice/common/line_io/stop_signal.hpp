// A stop flag that a reader thread can sleep on: waits end early once
// stop is requested. Shared by the file, stdio and generate plugins.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace sluice::common::line_io {

class StopSignal {
 public:
  void request() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    cv_.notify_all();
  }
  bool requested() const { return stopped_.load(std::memory_order_relaxed); }

  // Sleeps up to `duration`; returns false when stop was requested.
  template <class Rep, class Period>
  bool sleep_for(std::chrono::duration<Rep, Period> duration) {
    std::unique_lock lock(mutex_);
    return !cv_.wait_for(lock, duration, [&] { return stopped_.load(); });
  }
  template <class Clock, class Duration>
  bool sleep_until(std::chrono::time_point<Clock, Duration> deadline) {
    std::unique_lock lock(mutex_);
    return !cv_.wait_until(lock, deadline, [&] { return stopped_.load(); });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<bool> stopped_{false};
};

}  // namespace sluice::common::line_io
