// The bounded offline buffer (see offline_buffer.hpp).
#include "offline_buffer.hpp"

namespace sluice::mqtt {

OfflineBuffer::Added OfflineBuffer::add(PendingPublish& p, std::optional<PendingPublish>& dropped) {
  if (capacity_ == 0) return Added::kRefused;
  Added result = Added::kAdded;
  if (items_.size() >= capacity_) {
    if (overflow_ == BufferOverflow::kReject) return Added::kRefused;
    dropped.emplace(std::move(items_.front()));
    items_.pop_front();
    result = Added::kAddedDroppingOldest;
  }
  items_.push_back(std::move(p));
  return result;
}

std::optional<PendingPublish> OfflineBuffer::take() {
  if (items_.empty()) return std::nullopt;
  std::optional<PendingPublish> out(std::move(items_.front()));
  items_.pop_front();
  return out;
}

std::deque<PendingPublish> OfflineBuffer::take_expired(PendingPublish::Clock::time_point now) {
  std::deque<PendingPublish> expired;
  for (auto it = items_.begin(); it != items_.end();) {
    if (it->deadline <= now) {
      expired.push_back(std::move(*it));
      it = items_.erase(it);
    } else {
      ++it;
    }
  }
  return expired;
}

}  // namespace sluice::mqtt
