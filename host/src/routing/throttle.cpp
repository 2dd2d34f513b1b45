#include "routing/throttle.hpp"

#include <algorithm>
#include <cmath>

namespace sluice::routing {

namespace {
// How many least-recently-used keys an offer looks at for eviction.
constexpr size_t kEvictPerOffer = 2;
// How far max_keys looks for a key that holds nothing.
constexpr size_t kKeyLimitScan = 16;
}  // namespace

std::optional<Overflow> parse_overflow(std::string_view name) {
  if (name == "drop_newest") return Overflow::kDropNewest;
  if (name == "drop_oldest") return Overflow::kDropOldest;
  if (name == "keep_latest") return Overflow::kKeepLatest;
  return std::nullopt;
}

std::string_view overflow_name(Overflow overflow) {
  switch (overflow) {
    case Overflow::kDropNewest:
      return "drop_newest";
    case Overflow::kDropOldest:
      return "drop_oldest";
    case Overflow::kKeepLatest:
      return "keep_latest";
  }
  return "?";
}

bool Throttle::may_send(KeyState& s, time_point now) {
  if (s.interval && !s.interval->allowed(now)) return false;
  if (s.lease) {
    auto answer = s.lease->check(s.key, *shared_, now);
    if (answer != SharedLease::Answer::kUnreachable) return answer == SharedLease::Answer::kToken;
  }
  return !s.bucket || s.bucket->tokens(now) > 0;
}

void Throttle::take(KeyState& s, time_point now) {
  if (s.lease && s.lease->holds_token())
    s.lease->take();
  else if (s.bucket)
    s.bucket->try_take(now);
  if (s.interval) s.interval->try_take(now);
}

Clock::time_point Throttle::KeyState::next_available(time_point now) const {
  time_point t = now;
  if (lease && !lease->unreachable())
    t = std::max(t, lease->next_available(now));
  else if (bucket)
    t = std::max(t, bucket->next_available(now));
  if (interval) t = std::max(t, interval->next_available(now));
  return t;
}

Clock::time_point Throttle::KeyState::idle_at(time_point now) const {
  time_point t = now;
  if (bucket) t = std::max(t, bucket->full_at());
  if (lease) t = std::max(t, lease->idle_at(now));
  if (interval) t = std::max(t, interval->idle_at(now));
  return t;
}

Throttle::Throttle(ThrottleSpec spec, SharedBudget* shared) : spec_(spec), shared_(shared) {
  burst_ = spec_.burst ? spec_.burst
                       : static_cast<uint32_t>(std::max(1.0, std::ceil(std::max(0.0, spec_.rate))));
  capacity_ = spec_.buffer ? spec_.buffer : (spec_.keep_latest ? 1 : 0);
  overflow_ =
      spec_.overflow.value_or(spec_.keep_latest ? Overflow::kKeepLatest : Overflow::kDropNewest);
  spec_.max_keys = std::max<size_t>(1, spec_.max_keys);
}

Throttle::~Throttle() = default;

void Throttle::touch(Lru::iterator it) {
  if (it != lru_.begin()) lru_.splice(lru_.begin(), lru_, it);
}

void Throttle::forget(Lru::iterator it) {
  keys_.erase(keys_.find(std::string_view(it->key)));
  lru_.erase(it);
}

void Throttle::schedule(KeyState& s, time_point due) {
  unschedule(s);
  s.scheduled = due_.emplace(due, sequence_++, &s).first;
}

void Throttle::unschedule(KeyState& s) {
  if (s.scheduled) due_.erase(*s.scheduled);
  s.scheduled.reset();
}

size_t Throttle::evict_idle(time_point now, size_t max_to_check) {
  size_t evicted = 0;
  for (size_t checked = 0; checked < max_to_check && !lru_.empty(); ++checked) {
    auto it = std::prev(lru_.end());
    if (!it->held.empty() || it->idle_at(now) > now) break;
    forget(it);
    ++evicted;
    ++counters_.keys_evicted;
  }
  return evicted;
}

bool Throttle::make_room_for_new_key(time_point now) {
  if (keys_.size() < spec_.max_keys) return true;
  if (evict_idle(now, 1)) return true;
  auto it = lru_.end();
  for (size_t i = 0; i < kKeyLimitScan && it != lru_.begin(); ++i) {
    --it;
    if (it->held.empty()) {
      forget(it);
      ++counters_.keys_evicted_early;
      return true;
    }
  }
  return false;
}

Throttle::KeyState* Throttle::find_or_create(std::string_view key, time_point now) {
  auto found = keys_.find(key);
  if (found != keys_.end()) {
    touch(found->second);
    return &*found->second;
  }
  if (!make_room_for_new_key(now)) return nullptr;
  lru_.emplace_front();
  KeyState& s = lru_.front();
  s.key = std::string(key);
  if (spec_.rate > 0) s.bucket.emplace(spec_.rate, burst_, now);
  if (spec_.rate > 0 && shared_) s.lease.emplace();
  if (spec_.min_interval.count() > 0) s.interval.emplace(spec_.min_interval);
  keys_.emplace(s.key, lru_.begin());
  return &s;
}

ThrottleDecision Throttle::offer(std::string_view key, message::EnvelopePtr message,
                                 time_point now) {
  evict_idle(now, kEvictPerOffer);
  ThrottleDecision d;
  KeyState* s = find_or_create(key, now);
  if (!s) {
    ++counters_.dropped;
    d.action = ThrottleDecision::Action::kDropped;
    d.dropped = std::move(message);
    d.reason = DropReason::kKeyLimit;
    return d;
  }

  // Held messages go first, so a new one never overtakes them.
  if (s->held.empty() && may_send(*s, now)) {
    take(*s, now);
    ++counters_.passed;
    return d;
  }

  if (capacity_ == 0) {
    ++counters_.dropped;
    d.action = ThrottleDecision::Action::kDropped;
    d.dropped = std::move(message);
    d.reason = DropReason::kRateLimited;
    return d;
  }

  d.action = ThrottleDecision::Action::kHeld;
  if (s->held.size() >= capacity_) {
    switch (overflow_) {
      case Overflow::kDropNewest:
        ++counters_.dropped;
        d.action = ThrottleDecision::Action::kDropped;
        d.dropped = std::move(message);
        d.reason = DropReason::kOverflow;
        return d;
      case Overflow::kDropOldest:
        ++counters_.dropped;
        d.dropped = s->held.pop_front();
        d.reason = DropReason::kOverflow;
        s->held.push_back(std::move(message));
        ++counters_.held;
        return d;
      case Overflow::kKeepLatest:
        ++counters_.coalesced;
        d.dropped = std::exchange(s->held.back(), std::move(message));
        d.reason = DropReason::kCoalesced;
        return d;
    }
  }
  s->held.push_back(std::move(message));
  ++held_total_;
  ++counters_.held;
  if (!s->scheduled) schedule(*s, s->next_available(now));
  return d;
}

std::optional<Clock::time_point> Throttle::next_release_time() const {
  if (due_.empty()) return std::nullopt;
  return std::get<0>(*due_.begin());
}

std::optional<Throttle::Released> Throttle::pop_due(time_point now) {
  while (!due_.empty()) {
    auto [due, seq, state] = *due_.begin();
    if (due > now) return std::nullopt;
    KeyState& s = *state;
    due_.erase(due_.begin());
    s.scheduled.reset();

    if (s.lease) {
      // Other nodes may have spent the window by now: look again, and
      // come back at its reset if so.
      if (!may_send(s, now)) {
        schedule(s, std::max(s.next_available(now), now + std::chrono::milliseconds(1)));
        continue;
      }
      take(s, now);
    } else {
      take(s, due);
    }
    Released r{s.key, s.held.pop_front(), due};
    --held_total_;
    ++counters_.released;
    if (!s.held.empty())
      schedule(s, s.next_available(due));
    else
      s.held.shrink_if_empty();
    touch(keys_.find(std::string_view(s.key))->second);
    return r;
  }
  return std::nullopt;
}

std::optional<Throttle::Released> Throttle::pop_any() {
  if (due_.empty()) return std::nullopt;
  auto [due, seq, state] = *due_.begin();
  KeyState& s = *state;
  Released r{s.key, s.held.pop_front(), due};
  --held_total_;
  if (s.held.empty()) {
    unschedule(s);
    s.held.shrink_if_empty();
  }
  return r;
}

}  // namespace sluice::routing
