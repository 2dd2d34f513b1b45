#include "throttle.hpp"

#include <algorithm>

namespace sluice::websocket {

TokenBucket::TokenBucket(double rate, double burst, TimePoint now)
    : rate_(rate), burst_(std::max(1.0, burst)), tokens_(burst_), last_(now) {}

void TokenBucket::refill(TimePoint now) {
  if (now <= last_) return;
  double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  last_ = now;
}

bool TokenBucket::try_take(TimePoint now) {
  refill(now);
  // A hair of tolerance so that floating-point refill does not delay a token
  // that is due exactly now.
  if (tokens_ < 1.0 - 1e-9) return false;
  tokens_ = std::max(0.0, tokens_ - 1.0);
  return true;
}

TimePoint TokenBucket::next_token(TimePoint now) {
  refill(now);
  if (tokens_ >= 1.0 - 1e-9) return now;
  auto wait = std::chrono::duration<double>((1.0 - tokens_) / rate_);
  return now + std::chrono::ceil<Duration>(wait);
}

bool TokenBucket::full(TimePoint now) {
  refill(now);
  return tokens_ >= burst_ - 1e-9;
}

bool StreamThrottle::ready(Stream& s, TimePoint now) const {
  if (s.sent && now - s.last_sent < spec_.min_interval) return false;
  if (s.bucket && s.bucket->next_token(now) > now) return false;
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
  if (s.bucket) at = std::max(at, s.bucket->next_token(now));
  return at;
}

StreamThrottle::Verdict StreamThrottle::offer(std::string_view stream, OutFrame& frame,
                                              TimePoint now) {
  if (!spec_.limits()) return Verdict::kSend;
  auto it = streams_.find(stream);
  if (it == streams_.end()) {
    if (streams_.size() >= prune_at_) prune(now);
    it = streams_.emplace(std::string(stream), Stream{}).first;
    if (spec_.rate > 0) it->second.bucket.emplace(spec_.rate, spec_.burst, now);
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
                (!s.bucket || s.bucket->full(now));
    it = idle ? streams_.erase(it) : std::next(it);
  }
  prune_at_ = std::max<size_t>(1024, streams_.size() * 2);
}

}  // namespace sluice::websocket
