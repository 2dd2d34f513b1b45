// Which of a route's sources it takes messages from, when a route lists
// several feeds of the same events: all of them (merge, the plain list),
// the highest-priority live one (priority, which switches back as soon as
// the primary is live again), the live one in use until it fails
// (fallback), or each in turn, a batch at a time (round_robin).
//
// A member is live while its connector reports itself healthy and it has
// offered a message within `silence`. A member that is not the active one
// is on standby: its messages are acked and counted as dropped (standby
// drop), or the host holds them back through backpressure so that the
// source waits and loses nothing (standby pause).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "routing/clock.hpp"

namespace sluice::routing {

enum class SourcePolicy : uint8_t { kMerge, kPriority, kFallback, kRoundRobin };
enum class StandbyAction : uint8_t { kDrop, kPause };

std::optional<SourcePolicy> parse_source_policy(std::string_view name);
std::string_view source_policy_name(SourcePolicy policy);
std::string_view standby_action_name(StandbyAction action);

struct SourcePolicySpec {
  SourcePolicy policy = SourcePolicy::kMerge;
  // How long a member may stay quiet and still count as live. Round-robin
  // turns pass on much sooner than a priority feed is given up on.
  std::chrono::milliseconds silence{5000};
  StandbyAction standby = StandbyAction::kDrop;
  // round_robin: messages taken from one member before the turn passes.
  uint32_t batch = 100;

  bool selects() const { return policy != SourcePolicy::kMerge; }
};

inline constexpr std::chrono::milliseconds kDefaultPrioritySilence{5000};
inline constexpr std::chrono::milliseconds kDefaultRoundRobinSilence{50};

// Why the active member changed, for the log line and the metric label.
enum class SwitchReason : uint8_t {
  kUnhealthy,  // the active member's connector reports itself unhealthy
  kSilent,     // it offered nothing for `silence`
  kPreferred,  // a higher-priority member is live again (priority)
  kTurn,       // its round-robin batch is done
};
std::string_view switch_reason_name(SwitchReason reason);

// The choice state of one route with a selecting policy, shared by the
// source threads (which note offers and, with standby pause, wait for their
// turn) and the workers (which ask whether a message is taken). Members
// are the route's `from` entries by position.
class SourceSelector {
 public:
  struct Switch {
    size_t from;
    size_t to;
    SwitchReason reason;
    // How long `from` had been quiet (kSilent).
    std::chrono::milliseconds quiet{0};
  };
  // Whether member i's connector reports itself healthy. Asked only by
  // refresh_health(), never under the selector's lock nor on a source's
  // thread (a plugin's health may wait for a lock its emitting thread holds).
  using HealthOf = std::function<bool(size_t member)>;
  // Told of every change of the active member (under the selector's lock:
  // keep it short).
  using OnSwitch = std::function<void(const Switch&)>;

  // How often the owner should call refresh_health().
  static constexpr std::chrono::milliseconds kHealthInterval{100};

  SourceSelector(SourcePolicySpec spec, size_t members, const Clock& clock, HealthOf health,
                 OnSwitch on_switch);

  const SourcePolicySpec& spec() const { return spec_; }
  size_t members() const { return last_offer_ns_.size(); }

  // Member `m` has a message to give: it counts as live from now. Lock-free
  // (every message of a member passes here).
  void note_offer(size_t m);
  // Whether member `m`'s message is taken now (it is the active member);
  // counts it towards the round-robin batch when it is.
  bool admit(size_t m);
  // standby pause: notes the offer and waits until `m` is the active member
  // (true, the message is taken) or `wait` passed (false: the source hears
  // backpressure and offers again).
  bool wait_for_turn(size_t m, std::chrono::milliseconds wait);

  // Asks every member's health (from a timer, every kHealthInterval) and
  // wakes the sources waiting for their turn. Until the first call every
  // member counts as healthy.
  void refresh_health();

  // The active member now (re-evaluated: a quiet primary is given up on
  // even when nothing arrives).
  size_t active();
  uint64_t switches() const { return switches_.load(std::memory_order_relaxed); }

 private:
  using time_point = Clock::time_point;

  bool live(size_t m, time_point now) const;
  // Re-decides the active member as of `now` for an offer of member
  // `offering` (none: a look from outside). Under mutex_.
  void reevaluate(time_point now, std::optional<size_t> offering);
  std::optional<size_t> first_live(time_point now) const;
  std::optional<size_t> next_in_turn(size_t after, time_point now) const;
  void switch_to(size_t to, SwitchReason reason, time_point now);
  SwitchReason why_leaving(size_t from, time_point now) const;

  const SourcePolicySpec spec_;
  const Clock& clock_;
  HealthOf health_of_;
  OnSwitch on_switch_;

  // Steady-clock nanoseconds of each member's latest offer.
  std::vector<std::atomic<int64_t>> last_offer_ns_;
  std::atomic<uint64_t> switches_{0};

  std::mutex mutex_;
  std::condition_variable turn_changed_;
  std::vector<char> healthy_;      // as refresh_health() last found it, by member
  std::vector<uint32_t> waiting_;  // standby pause: offers waiting per member
  size_t active_ = 0;
  uint32_t taken_in_turn_ = 0;
};

}  // namespace sluice::routing
