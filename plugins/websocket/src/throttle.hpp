// Per-subscription throttling of a client's feed: a token bucket and a
// minimum interval per stream (e.g. per device), with the frames that have to
// wait either coalesced (keep_latest) or held in a small buffer. Pure logic
// on an injected time, so rate and burst are tested with a fake clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <sluice/common/token_bucket.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "clock.hpp"
#include "out_frame.hpp"

namespace sluice::websocket {

struct ThrottleSpec {
  double rate = 0;   // frames per second per stream; 0 = no rate limit
  double burst = 1;  // frames that may go at once after a quiet period (whole frames count)
  std::chrono::milliseconds min_interval{0};
  bool keep_latest = false;  // a waiting frame is replaced by a newer one
  size_t buffer = 0;         // frames held per stream while waiting (when not keep_latest)

  bool limits() const { return rate > 0 || min_interval.count() > 0; }
};

class StreamThrottle {
 public:
  enum class Verdict {
    kSend,       // send `frame` now
    kHeld,       // kept; released later by release_due
    kCoalesced,  // kept, replacing an older waiting frame (which is dropped)
    kDropped,    // no room: `frame` is dropped
  };

  explicit StreamThrottle(ThrottleSpec spec) : spec_(spec) {}

  const ThrottleSpec& spec() const { return spec_; }

  // Offers one frame of `stream`. On kSend the caller sends `frame`;
  // otherwise the throttle took it (kHeld, kCoalesced) or dropped it.
  Verdict offer(std::string_view stream, OutFrame& frame, TimePoint now);

  // Appends to `out` every held frame whose time has come, oldest first per
  // stream. Returns the earliest time a still-held frame becomes due.
  std::optional<TimePoint> release_due(TimePoint now, std::vector<OutFrame>& out);

  size_t held() const { return held_; }
  size_t streams() const { return streams_.size(); }

 private:
  struct Stream {
    std::optional<common::TokenBucket> bucket;
    TimePoint last_sent{};
    bool sent = false;
    std::deque<OutFrame> waiting;
  };

  bool ready(Stream& s, TimePoint now) const;
  void mark_sent(Stream& s, TimePoint now) const;
  TimePoint due(Stream& s, TimePoint now) const;
  void prune(TimePoint now);

  ThrottleSpec spec_;
  std::unordered_map<std::string, Stream, StringHash, std::equal_to<>> streams_;
  std::unordered_set<std::string, StringHash, std::equal_to<>>
      pending_;  // streams with waiting frames
  size_t held_ = 0;
  size_t prune_at_ = 1024;
};

}  // namespace sluice::websocket
