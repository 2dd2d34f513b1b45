#include "runtime/virtual_timer_service.hpp"

namespace sluice::runtime {

uint64_t VirtualTimerService::start(std::chrono::milliseconds delay,
                                    std::chrono::milliseconds period, std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  uint64_t id = next_id_++;
  if (shut_down_) return id;
  armed_.emplace(std::make_pair(clock_.now() + delay, id), Entry{id, period, std::move(fn)});
  return id;
}

void VirtualTimerService::cancel(uint64_t id) {
  std::lock_guard lock(mutex_);
  for (auto it = armed_.begin(); it != armed_.end(); ++it) {
    if (it->second.id == id) {
      armed_.erase(it);
      return;
    }
  }
}

void VirtualTimerService::post(std::function<void()> fn) {
  start(std::chrono::milliseconds(0), std::chrono::milliseconds(0), std::move(fn));
}

void VirtualTimerService::shutdown() {
  std::lock_guard lock(mutex_);
  shut_down_ = true;
  armed_.clear();
}

std::optional<routing::Clock::time_point> VirtualTimerService::next_due() const {
  std::lock_guard lock(mutex_);
  if (armed_.empty()) return std::nullopt;
  return armed_.begin()->first.first;
}

bool VirtualTimerService::fire_next(routing::Clock::time_point until) {
  Entry entry;
  {
    std::lock_guard lock(mutex_);
    if (armed_.empty() || armed_.begin()->first.first > until) {
      if (clock_.now() < until) clock_.set(until);
      return false;
    }
    auto it = armed_.begin();
    auto due = it->first.first;
    entry = std::move(it->second);
    armed_.erase(it);
    if (clock_.now() < due) clock_.set(due);
    // A periodic timer is armed again before it runs, so that cancelling
    // it from inside fn prevents the next run, as AsioTimerService does.
    if (entry.period.count() > 0)
      armed_.emplace(std::make_pair(due + entry.period, entry.id),
                     Entry{entry.id, entry.period, entry.fn});
  }
  entry.fn();  // outside the lock: it may start or cancel timers
  return true;
}

}  // namespace sluice::runtime
