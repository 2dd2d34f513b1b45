// A throttle budget that several sluice nodes share: each key may send
// `limit` messages per window in total, counted by a store every node
// reaches (Redis, through a connector's `@kv` subject). A node does not ask
// the store per message: it takes a lease of a few tokens, spends them
// locally and asks again when they are gone. The store never grants more
// than the limit, so the nodes together never exceed it; tokens a node
// leased and did not spend before the window reset are lost to the others.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "routing/clock.hpp"

namespace sluice::routing {

class SharedBudget {
 public:
  struct Grant {
    uint32_t granted = 0;                   // 0..want
    std::chrono::milliseconds reset_in{0};  // until the store's window for this key resets
  };
  virtual ~SharedBudget() = default;
  // Takes up to `want` tokens of `key`'s budget in the current window.
  // Nothing when the store cannot answer now; the throttle then uses its
  // local bucket for that decision.
  virtual std::optional<Grant> take(std::string_view key, uint32_t want) = 0;
  // How many tokens to ask for at once.
  virtual uint32_t lease_size() const = 0;
};

// One key's lease: what the store granted this worker for the current
// window. Single-threaded, like the throttle that owns it.
class SharedLease {
 public:
  using time_point = Clock::time_point;
  enum class Answer : uint8_t {
    kToken,        // a leased token is there
    kSpent,        // the window's budget is used up until reset_at()
    kUnreachable,  // the store did not answer: decide locally
  };

  // Whether a token may be taken at `now`, asking `store` for a new lease
  // when this one is spent and the window may still have some.
  Answer check(std::string_view key, SharedBudget& store, time_point now);
  // Spends a token after check() said kToken.
  void take() {
    if (left_ > 0) --left_;
  }
  bool holds_token() const { return left_ > 0; }
  bool unreachable() const { return unreachable_; }
  // When the budget is known to be used up: its reset; else `now`.
  time_point next_available(time_point now) const;
  // Until the window resets this lease holds tokens or knows the window is
  // spent: forgetting it before then would waste the one or ask again.
  time_point idle_at(time_point now) const;

 private:
  uint32_t left_ = 0;
  bool spent_ = false;  // the store granted less than asked: nothing more this window
  bool unreachable_ = false;
  time_point reset_at_{};
};

}  // namespace sluice::routing
