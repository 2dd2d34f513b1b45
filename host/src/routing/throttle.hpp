// Per-key throttling for a route: a token bucket and/or a minimum interval
// per key, and what happens to a message that may not go yet (dropped, held
// in a bounded buffer, or coalesced so only the newest is kept). The runtime
// offers messages, arms one timer at next_release_time(), and delivers what
// release_due() hands back. Single-threaded: one instance per worker.
// With a SharedBudget the rate is a budget per window that every node
// shares (see shared_budget.hpp); the local bucket then only decides while
// the budget's store cannot be reached.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <optional>
#include <set>
#include <sluice/common/token_bucket.hpp>
#include <string>
#include <string_view>
#include <tuple>

#include "message/envelope.hpp"
#include "routing/clock.hpp"
#include "routing/held_queue.hpp"
#include "routing/min_interval.hpp"
#include "routing/shared_budget.hpp"
#include "routing/string_hash.hpp"

namespace sluice::routing {

enum class Overflow : uint8_t {
  kDropNewest,  // the buffer is full: the arriving message is dropped
  kDropOldest,  // the oldest held message is dropped to make room
  kKeepLatest,  // the newest held message is replaced (coalesced)
};

std::optional<Overflow> parse_overflow(std::string_view name);
std::string_view overflow_name(Overflow overflow);

struct ThrottleSpec {
  double rate = 0;     // tokens per second per key; 0: no token bucket
  uint32_t burst = 0;  // bucket size; 0: max(1, ceil(rate))
  std::chrono::milliseconds min_interval{0};
  // Messages held per key while they wait. 0 with keep_latest: 1.
  uint32_t buffer = 0;
  // keep_latest alone means buffer 1 with overflow kKeepLatest; with a
  // buffer it makes kKeepLatest the default overflow.
  bool keep_latest = false;
  std::optional<Overflow> overflow =
      std::nullopt;  // default: kKeepLatest if keep_latest, else kDropNewest
  // Bound on tracked keys. A new key beyond it takes the place of the least
  // recently used key that holds nothing (that key forgets its rate
  // history); if every key holds messages, the new message is dropped.
  size_t max_keys = 100'000;
};

// Why the throttle let go of a message without sending it.
enum class DropReason : uint8_t {
  kNone,
  kRateLimited,  // no buffer, no token
  kOverflow,     // the key's buffer was full (drop_newest / drop_oldest)
  kCoalesced,    // replaced by a newer message for the same key
  kKeyLimit,     // max_keys reached and every key holds messages
};

struct ThrottleDecision {
  enum class Action : uint8_t {
    kSendNow,  // send it; a token was taken
    kHeld,     // kept; release_due() hands it back when its time comes
    kDropped,  // not sent (see reason); the runtime acks it as dropped on purpose
  };
  Action action = Action::kSendNow;
  // The message this offer made the throttle let go of: the offered one
  // (kDropped) or an older held one (kHeld with drop_oldest / keep_latest).
  message::EnvelopePtr dropped;
  DropReason reason = DropReason::kNone;
};

struct ThrottleCounters {
  uint64_t passed = 0;              // sent at once
  uint64_t held = 0;                // held for later (throttled)
  uint64_t released = 0;            // held, then delivered by release_due
  uint64_t coalesced = 0;           // replaced by a newer message for the same key
  uint64_t dropped = 0;             // rate limited, buffer overflow or key limit
  uint64_t keys_evicted = 0;        // idle keys forgotten (no behaviour change)
  uint64_t keys_evicted_early = 0;  // keys forgotten before they were idle (max_keys)
};

class Throttle {
 public:
  using time_point = Clock::time_point;

  // `shared`, when given, outlives the throttle.
  explicit Throttle(ThrottleSpec spec, SharedBudget* shared = nullptr);
  ~Throttle();
  Throttle(const Throttle&) = delete;
  Throttle& operator=(const Throttle&) = delete;

  ThrottleDecision offer(std::string_view key, message::EnvelopePtr message, time_point now);

  // When the earliest held message may go; nothing when none is held.
  std::optional<time_point> next_release_time() const;

  struct Released {
    std::string_view key;  // valid until the next call on this throttle
    message::EnvelopePtr message;
    time_point due;  // the exact time it was allowed to go
  };
  // The next held message whose time has come by `now`, in time order
  // across keys; the token is taken at its due time, not at `now`, so a
  // late timer does not shift the schedule.
  std::optional<Released> pop_due(time_point now);
  template <class F>
  size_t release_due(time_point now, F&& deliver) {
    size_t n = 0;
    while (auto r = pop_due(now)) {
      deliver(*r);
      ++n;
    }
    return n;
  }
  // Hands back every held message (shutdown, reload), oldest first per key.
  template <class F>
  size_t take_all(F&& each) {
    size_t n = 0;
    while (auto r = pop_any()) {
      each(*r);
      ++n;
    }
    return n;
  }

  // Forgets keys that hold nothing and whose limits have recovered (they
  // behave exactly like new keys). Also done a little on every offer.
  size_t evict_idle(time_point now, size_t max_to_check = SIZE_MAX);

  const ThrottleCounters& counters() const { return counters_; }
  size_t key_count() const { return keys_.size(); }
  size_t held_count() const { return held_total_; }
  size_t hold_capacity() const { return capacity_; }
  Overflow overflow() const { return overflow_; }
  const ThrottleSpec& spec() const { return spec_; }

 private:
  struct KeyState;
  using Lru = std::list<KeyState>;
  using DueSet = std::set<std::tuple<time_point, uint64_t, KeyState*>>;

  struct KeyState {
    std::string key;
    std::optional<common::TokenBucket> bucket;
    std::optional<MinInterval> interval;
    std::optional<SharedLease> lease;  // with a shared budget
    HeldQueue<message::EnvelopePtr> held;
    std::optional<DueSet::iterator> scheduled;

    time_point next_available(time_point now) const;
    time_point idle_at(time_point now) const;
  };

  // May asks the shared budget's store for a lease.
  bool may_send(KeyState& s, time_point now);
  void take(KeyState& s, time_point now);
  KeyState* find_or_create(std::string_view key, time_point now);
  bool make_room_for_new_key(time_point now);
  void schedule(KeyState& s, time_point due);
  void unschedule(KeyState& s);
  void touch(Lru::iterator it);
  void forget(Lru::iterator it);
  std::optional<Released> pop_any();

  ThrottleSpec spec_;
  SharedBudget* shared_ = nullptr;
  uint32_t burst_ = 1;
  size_t capacity_ = 0;
  Overflow overflow_ = Overflow::kDropNewest;
  Lru lru_;  // most recently used first
  StringMap<Lru::iterator> keys_;
  DueSet due_;
  uint64_t sequence_ = 0;
  size_t held_total_ = 0;
  ThrottleCounters counters_;
};

}  // namespace sluice::routing
