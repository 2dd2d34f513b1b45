// One thread running timers for plugins (host API timer_start) and for the
// runtime itself (retry backoff, throttle releases, periodic tasks).
#pragma once

#include <boost/asio.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace sluice::runtime {

class TimerService {
 public:
  TimerService();
  ~TimerService();
  TimerService(const TimerService&) = delete;
  TimerService& operator=(const TimerService&) = delete;

  // Runs fn after delay, then every period if period > 0. Returns an id > 0.
  uint64_t start(std::chrono::milliseconds delay, std::chrono::milliseconds period,
                 std::function<void()> fn);
  // When it returns, fn is not running and will not run again (unless
  // called from inside fn, which only prevents future runs).
  void cancel(uint64_t id);
  // Runs fn once on the timer thread as soon as possible.
  void post(std::function<void()> fn);
  void shutdown();

 private:
  struct Entry;
  void arm(const std::shared_ptr<Entry>& entry, std::chrono::milliseconds delay);

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::mutex mutex_;
  std::map<uint64_t, std::shared_ptr<Entry>> entries_;
  uint64_t next_id_ = 1;
  std::thread thread_;
};

}  // namespace sluice::runtime
