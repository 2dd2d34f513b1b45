#include <algorithm>
#include <chrono>
#include <cmath>
#include <sluice/common/token_bucket.hpp>

namespace sluice::common {

namespace {
// Keeps burst * kUnitsPerToken inside int64.
constexpr uint32_t kMaxBurst = 1'000'000;

int64_t ns_between(TokenBucket::time_point from, TokenBucket::time_point to) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
}  // namespace

TokenBucket::TokenBucket(double rate_per_second, uint32_t burst, time_point now)
    : rate_milli_(std::max<int64_t>(1, std::llround(rate_per_second * 1000.0))),
      burst_(std::clamp<uint32_t>(burst, 1, kMaxBurst)),
      capacity_(static_cast<int64_t>(burst_) * kUnitsPerToken),
      credit_(capacity_),
      updated_(now) {}

int64_t TokenBucket::credit_at(time_point now) const {
  if (now <= updated_ || credit_ >= capacity_) return credit_;
  int64_t elapsed = ns_between(updated_, now);
  int64_t missing = capacity_ - credit_;
  // Compare before multiplying so a long idle time cannot overflow.
  if (elapsed >= ceil_div(missing, rate_milli_)) return capacity_;
  return credit_ + elapsed * rate_milli_;
}

void TokenBucket::refill(time_point now) {
  if (now <= updated_) return;  // never move backwards
  credit_ = credit_at(now);
  updated_ = now;
}

bool TokenBucket::try_take(time_point now) {
  refill(now);
  if (credit_ < kUnitsPerToken) return false;
  credit_ -= kUnitsPerToken;
  return true;
}

TokenBucket::time_point TokenBucket::next_available(time_point now) const {
  int64_t credit = credit_at(now);
  if (credit >= kUnitsPerToken) return now;
  time_point from = std::max(now, updated_);
  return from + std::chrono::nanoseconds(ceil_div(kUnitsPerToken - credit, rate_milli_));
}

TokenBucket::time_point TokenBucket::full_at() const {
  if (credit_ >= capacity_) return updated_;
  return updated_ + std::chrono::nanoseconds(ceil_div(capacity_ - credit_, rate_milli_));
}

uint64_t TokenBucket::tokens(time_point now) const {
  return static_cast<uint64_t>(credit_at(now) / kUnitsPerToken);
}

}  // namespace sluice::common
