#include "runtime/shutdown_watchdog.hpp"

#include <signal.h>
#include <unistd.h>

#include <future>
#include <memory>

#include "log/logger.hpp"

namespace sluice::runtime {
namespace {
constexpr const char* kComponent = "runtime";
// How often the thread looks at done_ while no signal comes: the most a
// normal exit waits for it.
constexpr std::chrono::milliseconds kSlice{50};
// The last log line may block (stderr a pipe nobody reads): wait this long
// for it, not longer.
constexpr std::chrono::milliseconds kLastWords{200};
// A signal this soon after the first is the same request, not a second one:
// `timeout -s INT` (GNU coreutils) signals its child and then its whole
// process group, so the child gets two at once. A person's second Ctrl-C
// comes later than this.
constexpr std::chrono::milliseconds kRepeatWindow{100};

}  // namespace

const char* ShutdownWatchdog::signal_name(int sig) { return sig == SIGINT ? "SIGINT" : "SIGTERM"; }

ShutdownWatchdog::ShutdownWatchdog(std::chrono::milliseconds timeout, int exit_status)
    : timeout_(timeout), exit_status_(exit_status) {
  thread_ = std::thread([this] { watch(); });
}

ShutdownWatchdog::~ShutdownWatchdog() {
  done_.store(true);
  thread_.join();
}

void ShutdownWatchdog::arm_locked(Clock::time_point at) {
  if (!armed_at_) armed_at_ = at;
}

ShutdownWatchdog::Clock::time_point ShutdownWatchdog::deadline() {
  std::lock_guard lock(mutex_);
  arm_locked(Clock::now());
  return *armed_at_ + timeout_;
}

void ShutdownWatchdog::note(std::string step) {
  std::lock_guard lock(mutex_);
  step_ = std::move(step);
}

void ShutdownWatchdog::watch() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  while (!done_.load()) {
    std::optional<Clock::time_point> hard_deadline;
    {
      std::lock_guard lock(mutex_);
      if (armed_at_) hard_deadline = *armed_at_ + timeout_ + kGrace;
    }
    auto wait = std::chrono::nanoseconds(kSlice);
    if (hard_deadline) {
      auto now = Clock::now();
      if (now >= *hard_deadline)
        leave("shutdown did not finish within shutdown_timeout_ms (" +
              std::to_string(timeout_.count()) + " ms)");
      wait = std::min(wait, std::chrono::nanoseconds(*hard_deadline - now));
    }
    timespec slice{static_cast<time_t>(wait.count() / 1000000000),
                   static_cast<long>(wait.count() % 1000000000)};
    int sig = sigtimedwait(&set, nullptr, &slice);
    if (sig != SIGINT && sig != SIGTERM) continue;
    // No logging on this thread but in leave(): a log line can block.
    int first = 0;
    if (!stop_signal_.compare_exchange_strong(first, sig)) {
      if (Clock::now() - first_signal_at_ < kRepeatWindow) continue;
      leave(std::string("second ") + signal_name(sig) + " during shutdown");
    }
    first_signal_at_ = Clock::now();
    std::lock_guard lock(mutex_);
    arm_locked(Clock::now());
  }
}

void ShutdownWatchdog::leave(const std::string& why) {
  std::string step;
  {
    std::lock_guard lock(mutex_);
    step = step_;
  }
  std::string text = why + ": exiting now with status " + std::to_string(exit_status_) +
                     (step.empty() ? std::string() : " while " + step) +
                     "; messages not yet settled are left unacknowledged and will be redelivered";
  auto logged = std::make_shared<std::promise<void>>();
  auto written = logged->get_future();
  std::thread([text, logged] {
    log::error(kComponent, text);
    logged->set_value();
  }).detach();
  written.wait_for(kLastWords);
  // _exit: no destructor or atexit handler may block again (nor run the
  // leak checker of a sanitizer build over a process cut short).
  ::_exit(exit_status_);
}

}  // namespace sluice::runtime
