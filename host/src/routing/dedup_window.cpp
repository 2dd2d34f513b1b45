#include "routing/dedup_window.hpp"

#include <algorithm>

namespace sluice::routing {

DedupWindow::DedupWindow(Clock::duration window, size_t max_keys)
    : window_(window), max_keys_(std::max<size_t>(1, max_keys)) {}

void DedupWindow::forget_oldest() {
  first_seen_.erase(first_seen_.find(std::string_view(*order_.front().second)));
  order_.pop_front();
}

void DedupWindow::expire(time_point now) {
  while (!order_.empty() && now - order_.front().first >= window_) forget_oldest();
}

bool DedupWindow::is_duplicate(std::string_view key, time_point now) {
  expire(now);
  if (first_seen_.find(key) != first_seen_.end()) {
    ++duplicates_;
    return true;
  }
  if (first_seen_.size() >= max_keys_) {
    forget_oldest();
    ++forgotten_early_;
  }
  auto [it, inserted] = first_seen_.emplace(std::string(key), now);
  order_.emplace_back(now, &it->first);
  return false;
}

}  // namespace sluice::routing
