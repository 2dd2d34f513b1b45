// A connector's circuit breaker (see circuit_breaker.hpp).
#include "runtime/circuit_breaker.hpp"

#include <algorithm>

namespace sluice::runtime {

namespace {

const routing::Clock& steady_clock() {
  static const routing::SteadyClock clock;
  return clock;
}

}  // namespace

CircuitBreaker::CircuitBreaker(config::CircuitPolicy policy, const routing::Clock* clock)
    : policy_(policy), clock_(clock ? *clock : steady_clock()) {}

bool CircuitBreaker::allow() {
  if (!enabled()) return true;
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (clock_.now() < open_until_) return false;
      state_ = State::kHalfOpen;
      probe_out_ = true;
      return true;
    case State::kHalfOpen:
      if (probe_out_) return false;
      probe_out_ = true;
      return true;
  }
  return true;
}

void CircuitBreaker::on_success() {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);
  state_ = State::kClosed;
  consecutive_failures_ = 0;
  probe_out_ = false;
}

void CircuitBreaker::on_failure() {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);
  probe_out_ = false;
  if (state_ == State::kHalfOpen) {  // the probe failed: another cool-down
    open_locked(clock_.now());
    return;
  }
  if (state_ == State::kOpen) return;  // a publish sent before it opened
  if (++consecutive_failures_ >= policy_.failures) open_locked(clock_.now());
}

void CircuitBreaker::on_no_verdict() {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);
  probe_out_ = false;
}

void CircuitBreaker::open_locked(time_point now) {
  state_ = State::kOpen;
  open_until_ = now + std::chrono::milliseconds(policy_.open_ms);
  ++times_opened_;
}

CircuitBreaker::State CircuitBreaker::state() const {
  if (!enabled()) return State::kClosed;
  std::lock_guard lock(mutex_);
  return state_;
}

const char* CircuitBreaker::state_name(State state) {
  switch (state) {
    case State::kClosed:
      return "closed";
    case State::kOpen:
      return "open";
    case State::kHalfOpen:
      return "half-open";
  }
  return "closed";
}

std::string CircuitBreaker::open_reason() const {
  if (!enabled()) return "";
  std::lock_guard lock(mutex_);
  if (state_ == State::kClosed) return "";
  if (state_ == State::kHalfOpen) return "circuit half-open: a probe publish decides";
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(open_until_ - clock_.now());
  return "circuit open after " + std::to_string(policy_.failures) +
         " failed publishes in a row; probing in " +
         std::to_string(std::max<int64_t>(0, left.count())) + " ms";
}

uint64_t CircuitBreaker::times_opened() const {
  std::lock_guard lock(mutex_);
  return times_opened_;
}

}  // namespace sluice::runtime
