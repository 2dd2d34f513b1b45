// A connector's circuit breaker: after `failures` failed publish attempts in
// a row the circuit opens and publishes fail at once (so a `fallback` output
// group switches and dead letters happen without waiting out retries); after
// `open_ms` one publish goes through as a probe (half-open), and its outcome
// closes the circuit or opens it again. Off when `failures` is 0.
// Thread-safe: workers publish and plugins complete on their own threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "config/config.hpp"
#include "routing/clock.hpp"

namespace sluice::runtime {

class CircuitBreaker {
 public:
  enum class State : uint8_t { kClosed, kOpen, kHalfOpen };

  // `clock` (tests pass a routing::FakeClock; it must outlive the breaker):
  // the steady clock when null.
  explicit CircuitBreaker(config::CircuitPolicy policy, const routing::Clock* clock = nullptr);

  bool enabled() const { return policy_.failures > 0; }
  // Before a publish: true to send it. False while open, and while the
  // half-open probe is out; the first call after the cool-down is the probe.
  bool allow();
  void on_success();
  void on_failure();
  // A publish ended without saying anything about the connector (the
  // message itself was refused): a probe out may be sent again.
  void on_no_verdict();

  State state() const;
  // "closed", "open", "half-open".
  static const char* state_name(State state);
  // While open: why, and when the probe goes ("5 failed publishes in a row;
  // probing in 3200 ms"). "" otherwise.
  std::string open_reason() const;
  uint64_t times_opened() const;

 private:
  using time_point = routing::Clock::time_point;
  void open_locked(time_point now);

  const config::CircuitPolicy policy_;
  const routing::Clock& clock_;
  mutable std::mutex mutex_;
  State state_ = State::kClosed;
  int consecutive_failures_ = 0;
  time_point open_until_{};
  bool probe_out_ = false;
  uint64_t times_opened_ = 0;
};

}  // namespace sluice::runtime
