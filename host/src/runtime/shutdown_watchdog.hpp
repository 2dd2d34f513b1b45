// Bounds the shutdown of `sluice run`: from SIGINT/SIGTERM (or the run ending
// by itself) the process is gone within shutdown_timeout_ms plus kGrace,
// whatever a plugin, a sink or a script is blocked in. A second signal ends it
// at once (one within 100 ms of the first counts as the same).
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace sluice::runtime {

class ShutdownWatchdog {
 public:
  using Clock = std::chrono::steady_clock;
  // How long past the timeout a graceful shutdown may still finish by itself
  // (its last steps) before the watchdog ends the process.
  static constexpr std::chrono::milliseconds kGrace{500};

  // Takes SIGINT/SIGTERM on its own thread from now on: the calling thread,
  // and every thread, must have blocked them. `exit_status` is what the
  // process exits with when the watchdog ends it.
  ShutdownWatchdog(std::chrono::milliseconds timeout, int exit_status);
  // Stops the thread: the process is leaving normally.
  ~ShutdownWatchdog();
  ShutdownWatchdog(const ShutdownWatchdog&) = delete;
  ShutdownWatchdog& operator=(const ShutdownWatchdog&) = delete;

  // True once SIGINT or SIGTERM arrived.
  bool stop_requested() const { return stop_signal_.load() != 0; }
  // The first SIGINT/SIGTERM that arrived, 0 before.
  int stop_signal() const { return stop_signal_.load(); }
  // When the graceful shutdown must have finished: the first signal plus the
  // timeout. Without a signal (the run ended by itself) the clock starts now.
  Clock::time_point deadline();
  // "SIGINT" or "SIGTERM".
  static const char* signal_name(int sig);
  // The timeout it was made with.
  std::chrono::milliseconds timeout() const { return timeout_; }
  // What shutdown is doing now (any thread); the log names it if the
  // watchdog has to end the process.
  void note(std::string step);

 private:
  void arm_locked(Clock::time_point at);
  void watch();
  // Logs why (waiting only briefly: stderr may be a full pipe) and _exits.
  [[noreturn]] void leave(const std::string& why);

  const std::chrono::milliseconds timeout_;
  const int exit_status_;
  std::atomic<int> stop_signal_{0};
  Clock::time_point first_signal_at_{};  // the watchdog thread's own
  std::mutex mutex_;
  std::optional<Clock::time_point> armed_at_;  // guarded by mutex_
  std::string step_;                           // guarded by mutex_
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace sluice::runtime
