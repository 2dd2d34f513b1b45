// Turns out-of-order acks of emitted lines into a resume position: lines
// get consecutive ack ids, AckWindow finds the first one not yet acked, and
// the checkpoint is the end of the line just before it. A NACKed line is
// never marked done, so the checkpoint cannot pass it.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <sluice/ack_window.hpp>

#include "checkpoint.hpp"

namespace sluice::file {

class LineProgress {
 public:
  LineProgress() = default;

  // Sets where reading starts; only before the first line is tracked.
  void begin(FilePosition start) {
    std::lock_guard lock(mutex_);
    committed_ = start;
  }

  // Registers the next emitted line, which ends at `end`; returns its ack id.
  uint64_t track(FilePosition end) {
    std::lock_guard lock(mutex_);
    uint64_t id = window_.track();
    ends_.push_back(end);
    return id;
  }

  // Marks a line delivered. Returns true when the checkpoint moved.
  bool complete(uint64_t id) {
    std::lock_guard lock(mutex_);
    auto commit = window_.complete(id);
    if (!commit || *commit == 0) return false;
    // Lines [0, *commit) are done: resume after line *commit - 1.
    uint64_t last_done = *commit - 1;
    if (last_done < first_id_) return false;
    committed_ = ends_[last_done - first_id_];
    while (first_id_ < *commit && !ends_.empty()) {
      ends_.pop_front();
      ++first_id_;
    }
    return true;
  }

  // Where a restart resumes.
  FilePosition checkpoint() const {
    std::lock_guard lock(mutex_);
    return committed_;
  }
  // Lines emitted but not yet behind the checkpoint (in flight or NACKed,
  // and everything after a NACKed line).
  size_t uncommitted() const {
    std::lock_guard lock(mutex_);
    return ends_.size();
  }

 private:
  mutable std::mutex mutex_;
  AckWindow window_;
  std::deque<FilePosition> ends_;  // end of line first_id_ + i
  uint64_t first_id_ = 0;
  FilePosition committed_;
};

}  // namespace sluice::file
