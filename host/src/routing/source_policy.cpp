#include "routing/source_policy.hpp"

#include <algorithm>

namespace sluice::routing {

std::optional<SourcePolicy> parse_source_policy(std::string_view name) {
  if (name == "merge") return SourcePolicy::kMerge;
  if (name == "priority") return SourcePolicy::kPriority;
  if (name == "fallback") return SourcePolicy::kFallback;
  if (name == "round_robin") return SourcePolicy::kRoundRobin;
  return std::nullopt;
}

std::string_view source_policy_name(SourcePolicy policy) {
  switch (policy) {
    case SourcePolicy::kMerge:
      return "merge";
    case SourcePolicy::kPriority:
      return "priority";
    case SourcePolicy::kFallback:
      return "fallback";
    case SourcePolicy::kRoundRobin:
      return "round_robin";
  }
  return "merge";
}

std::string_view standby_action_name(StandbyAction action) {
  return action == StandbyAction::kPause ? "pause" : "drop";
}

std::string_view switch_reason_name(SwitchReason reason) {
  switch (reason) {
    case SwitchReason::kUnhealthy:
      return "unhealthy";
    case SwitchReason::kSilent:
      return "silent";
    case SwitchReason::kPreferred:
      return "preferred";
    case SwitchReason::kTurn:
      return "turn";
  }
  return "unhealthy";
}

namespace {
int64_t ns_of(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
}  // namespace

SourceSelector::SourceSelector(SourcePolicySpec spec, size_t members, const Clock& clock,
                               HealthOf health, OnSwitch on_switch)
    : spec_(spec),
      clock_(clock),
      health_of_(std::move(health)),
      on_switch_(std::move(on_switch)),
      last_offer_ns_(members),
      healthy_(members, 1),
      waiting_(members, 0) {
  // Every member starts as if it had just offered: the primary gets
  // `silence` to speak before a standby is taken.
  const auto now = clock_.now();
  for (auto& t : last_offer_ns_) t.store(ns_of(now), std::memory_order_relaxed);
}

void SourceSelector::note_offer(size_t m) {
  last_offer_ns_[m].store(ns_of(clock_.now()), std::memory_order_relaxed);
}

bool SourceSelector::live(size_t m, time_point now) const {
  if (!healthy_[m]) return false;
  if (waiting_[m] > 0) return true;  // it is offering right now
  return now.time_since_epoch() -
             std::chrono::nanoseconds(last_offer_ns_[m].load(std::memory_order_relaxed)) <=
         spec_.silence;
}

void SourceSelector::refresh_health() {
  if (!health_of_) return;
  std::vector<char> fresh(healthy_.size());
  for (size_t m = 0; m < fresh.size(); ++m) fresh[m] = health_of_(m) ? 1 : 0;
  std::lock_guard lock(mutex_);
  healthy_ = std::move(fresh);
  // A standby waiting for its turn looks again: the active may be down.
  turn_changed_.notify_all();
}

std::optional<size_t> SourceSelector::first_live(time_point now) const {
  for (size_t m = 0; m < healthy_.size(); ++m)
    if (live(m, now)) return m;
  return std::nullopt;
}

std::optional<size_t> SourceSelector::next_in_turn(size_t after, time_point now) const {
  const size_t n = healthy_.size();
  for (size_t step = 1; step < n; ++step) {
    size_t m = (after + step) % n;
    if (live(m, now)) return m;
  }
  return std::nullopt;
}

SwitchReason SourceSelector::why_leaving(size_t from, time_point now) const {
  if (!healthy_[from]) return SwitchReason::kUnhealthy;
  if (!live(from, now)) return SwitchReason::kSilent;
  return spec_.policy == SourcePolicy::kRoundRobin ? SwitchReason::kTurn : SwitchReason::kPreferred;
}

void SourceSelector::switch_to(size_t to, SwitchReason reason, time_point now) {
  Switch s{active_, to, reason, {}};
  if (reason == SwitchReason::kSilent)
    s.quiet = std::chrono::duration_cast<std::chrono::milliseconds>(
        now.time_since_epoch() -
        std::chrono::nanoseconds(last_offer_ns_[active_].load(std::memory_order_relaxed)));
  active_ = to;
  taken_in_turn_ = 0;
  switches_.fetch_add(1, std::memory_order_relaxed);
  if (on_switch_) on_switch_(s);
  turn_changed_.notify_all();
}

void SourceSelector::reevaluate(time_point now, std::optional<size_t> offering) {
  std::optional<size_t> to;
  switch (spec_.policy) {
    case SourcePolicy::kMerge:
      return;
    case SourcePolicy::kPriority:
      to = first_live(now);
      break;
    case SourcePolicy::kFallback:
      if (live(active_, now)) return;
      to = first_live(now);
      break;
    case SourcePolicy::kRoundRobin:
      if (live(active_, now) && taken_in_turn_ < spec_.batch) return;
      // A full turn ends at the active member's own next offer, not at
      // another's: the last message it was given may not be queued yet,
      // and a turn taken over before that would let the next member's
      // batch overtake it.
      if (live(active_, now) && offering != active_) return;
      to = next_in_turn(active_, now);
      // Nobody else to hand the turn to: the same member starts a new one.
      if (!to && live(active_, now)) {
        taken_in_turn_ = 0;
        return;
      }
      break;
  }
  // No member is live: whoever offers is taken rather than nobody (a
  // message in hand beats a quiet feed).
  if (!to) to = offering;
  if (!to || *to == active_) return;
  switch_to(*to, why_leaving(active_, now), now);
}

bool SourceSelector::admit(size_t m) {
  std::lock_guard lock(mutex_);
  reevaluate(clock_.now(), m);
  if (m != active_) return false;
  ++taken_in_turn_;
  return true;
}

bool SourceSelector::wait_for_turn(size_t m, std::chrono::milliseconds wait) {
  using Steady = std::chrono::steady_clock;
  const auto deadline = Steady::now() + wait;
  // The active member can fall quiet without any call here: look again
  // often enough to notice in time (refresh_health wakes us for health).
  const auto recheck = std::clamp<std::chrono::milliseconds>(
      spec_.silence / 2, std::chrono::milliseconds(1), kHealthInterval);
  std::unique_lock lock(mutex_);
  ++waiting_[m];
  while (true) {
    note_offer(m);
    reevaluate(clock_.now(), m);
    if (m == active_) {
      --waiting_[m];
      ++taken_in_turn_;
      return true;
    }
    const auto now = Steady::now();
    if (now >= deadline) {
      --waiting_[m];
      return false;
    }
    turn_changed_.wait_until(lock, std::min(deadline, now + recheck));
  }
}

size_t SourceSelector::active() {
  std::lock_guard lock(mutex_);
  reevaluate(clock_.now(), std::nullopt);
  return active_;
}

}  // namespace sluice::routing
