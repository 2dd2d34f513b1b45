#include "routing/shared_budget.hpp"

namespace sluice::routing {

SharedLease::Answer SharedLease::check(std::string_view key, SharedBudget& store, time_point now) {
  if (reset_at_ <= now) {  // a new window: what was left of the old one is gone
    left_ = 0;
    spent_ = false;
  }
  if (left_ > 0) return Answer::kToken;
  if (spent_) return Answer::kSpent;
  uint32_t want = store.lease_size();
  auto grant = store.take(key, want);
  unreachable_ = !grant;
  if (!grant) return Answer::kUnreachable;
  left_ = grant->granted;
  // A window that resets "now" (the key just expired) still lasts a tick,
  // so a spent lease is not asked for again in a loop.
  reset_at_ = now + std::max(grant->reset_in, std::chrono::milliseconds(1));
  spent_ = grant->granted < want;
  return left_ > 0 ? Answer::kToken : Answer::kSpent;
}

SharedLease::time_point SharedLease::next_available(time_point now) const {
  if (left_ == 0 && spent_ && reset_at_ > now) return reset_at_;
  return now;
}

SharedLease::time_point SharedLease::idle_at(time_point now) const {
  if ((left_ > 0 || spent_) && reset_at_ > now) return reset_at_;
  return now;
}

}  // namespace sluice::routing
