#include "runtime/timer_service.hpp"

namespace sluice::runtime {

struct AsioTimerService::Entry {
  explicit Entry(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
  std::function<void()> fn;
  std::chrono::milliseconds period{0};
  uint64_t id = 0;
  std::mutex running;  // held while fn runs, so cancel can wait it out
  bool cancelled = false;
};

AsioTimerService::AsioTimerService() : work_(boost::asio::make_work_guard(io_)) {
  thread_ = std::thread([this] { io_.run(); });
}

AsioTimerService::~AsioTimerService() { shutdown(); }

void AsioTimerService::shutdown() {
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, e] : entries_) {
      std::lock_guard run_lock(e->running);
      e->cancelled = true;
    }
    entries_.clear();
  }
  work_.reset();
  io_.stop();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

uint64_t AsioTimerService::start(std::chrono::milliseconds delay, std::chrono::milliseconds period,
                                 std::function<void()> fn) {
  auto entry = std::make_shared<Entry>(io_);
  entry->fn = std::move(fn);
  entry->period = period;
  {
    std::lock_guard lock(mutex_);
    entry->id = next_id_++;
    entries_[entry->id] = entry;
  }
  // Arm on the timer thread: steady_timer is not thread-safe.
  boost::asio::post(io_, [this, entry, delay] { arm(entry, delay); });
  return entry->id;
}

void AsioTimerService::arm(const std::shared_ptr<Entry>& entry, std::chrono::milliseconds delay) {
  if (entry->cancelled) return;
  entry->timer.expires_after(delay);
  entry->timer.async_wait([this, entry](const boost::system::error_code& ec) {
    if (ec) return;
    bool again = false;
    {
      std::lock_guard run_lock(entry->running);
      if (entry->cancelled) return;
      entry->fn();
      again = entry->period.count() > 0 && !entry->cancelled;
    }
    if (again) {
      arm(entry, entry->period);
    } else {
      std::lock_guard lock(mutex_);
      entries_.erase(entry->id);
    }
  });
}

void AsioTimerService::cancel(uint64_t id) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return;
    entry = it->second;
    entries_.erase(it);
  }
  if (std::this_thread::get_id() == thread_.get_id()) {
    entry->cancelled = true;  // inside a timer callback: running is ours or free
  } else {
    std::lock_guard run_lock(entry->running);
    entry->cancelled = true;
  }
  boost::asio::post(io_, [entry] { entry->timer.cancel(); });
}

void AsioTimerService::post(std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }

}  // namespace sluice::runtime
