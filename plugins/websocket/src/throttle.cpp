#include "throttle.hpp"

#include <algorithm>
#include <cmath>

namespace sluice::websocket {

namespace {
// The bucket holds whole tokens; a fractional burst is rounded down (never
// more frames at once than asked for) and is at least 1.
uint32_t whole_burst(double burst) {
  return static_cast<uint32_t>(std::clamp(std::floor(burst), 1.0, 1e6));
}
}  // namespace

bool StreamThrottle::ready(Stream& s, TimePoint now) const {
  if (s.sent && now - s.last_sent < spec_.min_interval) return false;
  if (s.bucket && s.bucket->next_available(now) > now) return false;
  return true;
}

void StreamThrottle::mark_sent(Stream& s, TimePoint now) const {
  if (s.bucket) s.bucket->try_take(now);
  s.last_sent = now;
  s.sent = true;
}

TimePoint StreamThrottle::due(Stream& s, TimePoint now) const {
  TimePoint at = now;
  if (s.sent) at = std::max(at, s.last_sent + spec_.min_interval);
  if (s.bucket) at = std::max(at, s.bucket->next_available(now));
  return at;
}

StreamThrottle::Verdict StreamThrottle::offer(std::string_view stream, OutFrame& frame,
                                              TimePoint now) {
  if (!spec_.limits()) return Verdict::kSend;
  auto it = streams_.find(stream);
  if (it == streams_.end()) {
    if (streams_.size() >= prune_at_) prune(now);
    it = streams_.emplace(std::string(stream), Stream{}).first;
    if (spec_.rate > 0) it->second.bucket.emplace(spec_.rate, whole_burst(spec_.burst), now);
  }
  Stream& s = it->second;
  // Frames already waiting go first: a newcomer never overtakes them.
  if (s.waiting.empty() && ready(s, now)) {
    mark_sent(s, now);
    return Verdict::kSend;
  }
  if (spec_.keep_latest) {
    if (!s.waiting.empty()) {
      s.waiting.back() = std::move(frame);
      return Verdict::kCoalesced;
    }
  } else if (s.waiting.size() >= spec_.buffer) {
    return Verdict::kDropped;
  }
  s.waiting.push_back(std::move(frame));
  ++held_;
  pending_.emplace(it->first);
  return Verdict::kHeld;
}

std::optional<TimePoint> StreamThrottle::release_due(TimePoint now, std::vector<OutFrame>& out) {
  std::optional<TimePoint> next;
  for (auto key = pending_.begin(); key != pending_.end();) {
    auto it = streams_.find(*key);
    Stream& s = it->second;
    while (!s.waiting.empty() && ready(s, now)) {
      mark_sent(s, now);
      out.push_back(std::move(s.waiting.front()));
      s.waiting.pop_front();
      --held_;
    }
    if (s.waiting.empty()) {
      key = pending_.erase(key);
      continue;
    }
    TimePoint at = due(s, now);
    if (!next || at < *next) next = at;
    ++key;
  }
  return next;
}

// Forgets streams that hold nothing and whose limits have fully recovered:
// a fresh stream would behave the same, so the map stays as small as the
// set of recently active streams.
void StreamThrottle::prune(TimePoint now) {
  for (auto it = streams_.begin(); it != streams_.end();) {
    Stream& s = it->second;
    bool idle = s.waiting.empty() && (!s.sent || now - s.last_sent >= spec_.min_interval) &&
                (!s.bucket || s.bucket->full_at() <= now);
    it = idle ? streams_.erase(it) : std::next(it);
  }
  prune_at_ = std::max<size_t>(1024, streams_.size() * 2);
}

}  // namespace sluice::websocket
