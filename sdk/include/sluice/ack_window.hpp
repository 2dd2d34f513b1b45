// Tracks out-of-order completions of an ordered sequence (file lines, Kafka
// offsets) and tells how far it is safe to commit: up to the highest
// position below which everything has completed. At-least-once, never past
// an unfinished message.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace sluice {

class AckWindow {
 public:
  // `next` is the first position that will be tracked (the resume point).
  explicit AckWindow(uint64_t next = 0) : committed_(next), next_(next) {}

  // Registers the next position in order; returns it.
  uint64_t track() {
    std::lock_guard lock(mutex_);
    pending_.push_back({next_, false});
    return next_++;
  }

  // Registers a given position (must be increasing), e.g. a Kafka offset
  // with gaps from compaction or transactions.
  void track(uint64_t position) {
    std::lock_guard lock(mutex_);
    if (pending_.empty() && position > committed_) committed_ = position;
    pending_.push_back({position, false});
    next_ = position + 1;
  }

  // Marks a position done. Returns the new commit point (the first position
  // not yet safe to skip) when it moved, else nothing.
  std::optional<uint64_t> complete(uint64_t position) {
    std::lock_guard lock(mutex_);
    auto it = std::lower_bound(pending_.begin(), pending_.end(), position,
                               [](const Entry& e, uint64_t p) { return e.position < p; });
    if (it == pending_.end() || it->position != position || it->done) return std::nullopt;
    it->done = true;
    bool moved = false;
    while (!pending_.empty() && pending_.front().done) {
      committed_ = pending_.front().position + 1;
      pending_.pop_front();
      moved = true;
    }
    if (pending_.empty() && committed_ < next_) {
      committed_ = next_;
      moved = true;
    } else if (!pending_.empty() && committed_ < pending_.front().position) {
      committed_ = pending_.front().position;
      moved = true;
    }
    if (!moved) return std::nullopt;
    return committed_;
  }

  // First position not known to be complete: where a restart resumes.
  uint64_t commit_point() const {
    std::lock_guard lock(mutex_);
    return committed_;
  }
  size_t in_flight() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
  }

 private:
  struct Entry {
    uint64_t position;
    bool done;
  };
  mutable std::mutex mutex_;
  // Tracked positions in increasing order (so found by binary search); a
  // deque, not a map: no allocation per position on the per-message path.
  std::deque<Entry> pending_;
  uint64_t committed_;
  uint64_t next_;
};

}  // namespace sluice
