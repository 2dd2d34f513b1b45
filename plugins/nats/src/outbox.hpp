// The plugin's own queue of outgoing messages while NATS is disconnected.
// cnats' reconnect buffer is turned off (a message in it cannot be taken
// back, so a publish that timed out there would still be sent after the
// reconnect, and each retry would add a copy): held messages stay here,
// bounded by bytes, each with the deadline of its publish. A message whose
// deadline passed is taken out and failed, so it is never sent.
// Not thread-safe: the owner (Publisher) locks around it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace sluice::nats {

template <typename Item>
class Outbox {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Outbox(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Queues `item` behind the others. False (item untouched) when its bytes
  // do not fit in what is left of max_bytes.
  bool push(Item& item, size_t bytes, Clock::time_point deadline) {
    if (bytes_ + bytes > max_bytes_) return false;
    insert(next_back_++, item, bytes, deadline);
    return true;
  }

  // Puts an item taken with pop() back in front (NATS went away again while
  // it was being sent). Always fits: its bytes were counted before.
  void push_front(Item& item, size_t bytes, Clock::time_point deadline) {
    insert(next_front_--, item, bytes, deadline);
  }

  // Takes the oldest item whose deadline is still ahead (call take_expired
  // first, so that none has passed).
  struct Popped {
    Item item;
    size_t bytes;
    Clock::time_point deadline;
  };
  std::optional<Popped> pop() {
    if (entries_.empty()) return std::nullopt;
    auto it = entries_.begin();
    Popped out{std::move(it->second.item), it->second.bytes, it->second.deadline};
    erase(it);
    return out;
  }

  // Takes out every item whose deadline is at or before `now`, oldest first.
  std::vector<Item> take_expired(Clock::time_point now) {
    std::vector<int64_t> positions;
    for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now; ++it)
      positions.push_back(it->second);
    std::sort(positions.begin(), positions.end());
    std::vector<Item> out;
    for (int64_t position : positions) {
      auto it = entries_.find(position);
      out.push_back(std::move(it->second.item));
      erase(it);
    }
    return out;
  }

  // Takes everything (shutdown), oldest first.
  std::vector<Item> take_all() {
    std::vector<Item> out;
    for (auto& [seq, e] : entries_) out.push_back(std::move(e.item));
    entries_.clear();
    deadlines_.clear();
    bytes_ = 0;
    return out;
  }

  std::optional<Clock::time_point> next_deadline() const {
    if (deadlines_.empty()) return std::nullopt;
    return deadlines_.begin()->first;
  }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  size_t bytes() const { return bytes_; }
  size_t max_bytes() const { return max_bytes_; }

 private:
  struct Entry {
    Item item;
    size_t bytes;
    Clock::time_point deadline;
  };
  using Entries = std::map<int64_t, Entry>;  // by queue position

  void insert(int64_t seq, Item& item, size_t bytes, Clock::time_point deadline) {
    entries_.emplace(seq, Entry{std::move(item), bytes, deadline});
    deadlines_.emplace(deadline, seq);
    bytes_ += bytes;
  }
  void erase(typename Entries::iterator it) {
    deadlines_.erase({it->second.deadline, it->first});
    bytes_ -= it->second.bytes;
    entries_.erase(it);
  }

  const size_t max_bytes_;
  size_t bytes_ = 0;
  int64_t next_back_ = 0;
  int64_t next_front_ = -1;
  Entries entries_;
  std::set<std::pair<Clock::time_point, int64_t>> deadlines_;
};

}  // namespace sluice::nats
