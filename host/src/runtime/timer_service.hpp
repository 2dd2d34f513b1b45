// Timers for plugins (host API timer_start) and for the runtime itself
// (retry backoff, throttle releases, periodic tasks). `sluice run` uses one
// thread on the steady clock (AsioTimerService); `sluice test` a virtual
// clock the test advances (VirtualTimerService), so throttles behave the
// same without waiting.
#pragma once

#include <boost/asio.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "routing/clock.hpp"

namespace sluice::runtime {

class TimerService {
 public:
  virtual ~TimerService() = default;

  // Runs fn after delay, then every period if period > 0. Returns an id > 0.
  virtual uint64_t start(std::chrono::milliseconds delay, std::chrono::milliseconds period,
                         std::function<void()> fn) = 0;
  // When it returns, fn is not running and will not run again (unless
  // called from inside fn, which only prevents future runs).
  virtual void cancel(uint64_t id) = 0;
  // Runs fn once on the timer thread as soon as possible.
  virtual void post(std::function<void()> fn) = 0;
  virtual void shutdown() = 0;
  // The clock the delays are measured on. Whatever decides on time next to
  // a timer (a throttle's tokens, a dedup window) reads this clock, so that
  // the decision and the timer that releases it agree.
  virtual const routing::Clock& clock() const = 0;
};

// The timers of a running sluice: one thread, the steady clock.
class AsioTimerService final : public TimerService {
 public:
  AsioTimerService();
  ~AsioTimerService() override;
  AsioTimerService(const AsioTimerService&) = delete;
  AsioTimerService& operator=(const AsioTimerService&) = delete;

  uint64_t start(std::chrono::milliseconds delay, std::chrono::milliseconds period,
                 std::function<void()> fn) override;
  void cancel(uint64_t id) override;
  void post(std::function<void()> fn) override;
  void shutdown() override;
  const routing::Clock& clock() const override { return clock_; }

 private:
  struct Entry;
  void arm(const std::shared_ptr<Entry>& entry, std::chrono::milliseconds delay);

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::mutex mutex_;
  std::map<uint64_t, std::shared_ptr<Entry>> entries_;
  uint64_t next_id_ = 1;
  std::thread thread_;
  routing::SteadyClock clock_;
};

}  // namespace sluice::runtime
