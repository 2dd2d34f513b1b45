// Turns out-of-order acks of emitted lines into a resume position: lines
// get consecutive ack ids, the first one not yet acked bounds the
// checkpoint, and the checkpoint is the end of the line just before it. A
// NACKed line is never marked done, so the checkpoint cannot pass it.
//
// One reader thread tracks a line per message and workers complete them,
// so the two sides must not contend: lines live in a ring of slots, the
// reader fills its slot without a lock (it only ever writes slots past the
// committed ones), and only completions take the lock that moves the
// checkpoint.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <sluice/brief_lock.hpp>

#include "checkpoint.hpp"

namespace sluice::file {

class LineProgress {
 public:
  // At most `capacity` lines can be tracked and not yet committed.
  explicit LineProgress(size_t capacity = 100000)
      : mask_(std::bit_ceil(capacity + 1) - 1),
        slots_(std::make_unique<Slot[]>(mask_ + 1)),
        capacity_(capacity) {}

  // Sets where reading starts; only before the first line is tracked.
  void begin(FilePosition start) {
    std::lock_guard lock(mutex_);
    committed_ = start;
  }

  // Registers the next emitted line, which ends at `end`; returns its ack
  // id, or nothing while `capacity` lines are uncommitted (wait for acks).
  // Called from one thread only.
  std::optional<uint64_t> track(FilePosition end) {
    uint64_t id = next_.load(std::memory_order_relaxed);
    // first_ is read only when the ring looks full: reading it per line
    // would pull the acking thread's cache line over every time.
    if (id - reader_first_ >= capacity_) {
      reader_first_ = first_.load(std::memory_order_acquire);
      if (id - reader_first_ >= capacity_) return std::nullopt;
    }
    Slot& slot = slots_[id & mask_];
    slot.end = end;
    slot.done.store(false, std::memory_order_relaxed);
    next_.store(id + 1, std::memory_order_release);
    return id;
  }

  // Marks a line delivered. Returns true when the checkpoint moved.
  bool complete(uint64_t id) {
    BriefLock lock(mutex_);  // per ack; contends only with other acks
    uint64_t next = next_.load(std::memory_order_acquire);
    uint64_t first = first_.load(std::memory_order_relaxed);
    if (id < first || id >= next) return false;  // already committed, or unknown
    slots_[id & mask_].done.store(true, std::memory_order_relaxed);
    if (id != first) return false;
    // Lines [first, end) are done: resume after the last of them.
    while (first < next && slots_[first & mask_].done.load(std::memory_order_relaxed)) {
      committed_ = slots_[first & mask_].end;
      ++first;
    }
    // Release: the reader may reuse these slots once it sees the new first_.
    first_.store(first, std::memory_order_release);
    return true;
  }

  // Where a restart resumes.
  FilePosition checkpoint() const {
    std::lock_guard lock(mutex_);
    return committed_;
  }
  // Lines emitted but not yet behind the checkpoint (in flight or NACKed,
  // and everything after a NACKed line). Lock-free: asked before every line.
  size_t uncommitted() const {
    return next_.load(std::memory_order_relaxed) - first_.load(std::memory_order_relaxed);
  }

 private:
  struct Slot {
    FilePosition end;
    std::atomic<bool> done{false};
  };

  const uint64_t mask_;
  std::unique_ptr<Slot[]> slots_;
  const size_t capacity_;
  alignas(64) std::atomic<uint64_t> next_{0};   // written by the reader
  uint64_t reader_first_ = 0;                   // the reader's last look at first_
  alignas(64) std::atomic<uint64_t> first_{0};  // first uncommitted; written under mutex_
  mutable std::mutex mutex_;
  FilePosition committed_;
};

}  // namespace sluice::file
