// Drops repeats of a key seen within a time window, for routes that merge
// several sources carrying the same events. Memory is bounded: past
// `max_keys` the oldest keys are forgotten early (a late repeat of one of
// them then passes, and is counted).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>

#include "routing/clock.hpp"
#include "routing/string_hash.hpp"

namespace sluice::routing {

class DedupWindow {
 public:
  using time_point = Clock::time_point;

  DedupWindow(Clock::duration window, size_t max_keys);

  // True when `key` was first seen less than `window` before `now` (a
  // repeat: drop it). Otherwise records `now` as its first sighting. Repeats
  // do not extend the window. `now` must not go backwards.
  bool is_duplicate(std::string_view key, time_point now);

  size_t size() const { return first_seen_.size(); }
  uint64_t duplicates() const { return duplicates_; }
  uint64_t forgotten_early() const { return forgotten_early_; }
  Clock::duration window() const { return window_; }

 private:
  void expire(time_point now);
  void forget_oldest();

  Clock::duration window_;
  size_t max_keys_;
  StringMap<time_point> first_seen_;
  // Keys in the order first seen; points at the map's own key strings,
  // which stay put while the entry exists.
  std::deque<std::pair<time_point, const std::string*>> order_;
  uint64_t duplicates_ = 0;
  uint64_t forgotten_early_ = 0;
};

}  // namespace sluice::routing
