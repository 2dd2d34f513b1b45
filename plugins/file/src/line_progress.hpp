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

#include <algorithm>
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
  // At most `capacity` lines can be tracked and not yet committed. The ring
  // starts small and doubles as far as that when acks lag behind, so a
  // source that keeps up costs a few kilobytes whatever the limit.
  explicit LineProgress(size_t capacity = 100000)
      : capacity_(capacity),
        mask_(std::min<uint64_t>(std::bit_ceil(capacity + 1), kFirstRing) - 1),
        slots_(std::make_unique<Slot[]>(mask_ + 1)) {}

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
    if (id - reader_first_ >= capacity_ || id - reader_first_ > mask_) {
      reader_first_ = first_.load(std::memory_order_acquire);
      if (id - reader_first_ >= capacity_) return std::nullopt;
      if (id - reader_first_ > mask_) grow(id);
    }
    Slot& slot = slots_[id & mask_];
    slot.end = end;
    slot.done.store(false, std::memory_order_relaxed);
    next_.store(id + 1, std::memory_order_release);
    return id;
  }

  // Marks a line delivered. Returns true when the checkpoint moved.
  bool complete(uint64_t id) { return complete_many(&id, 1); }

  // Marks lines delivered under one lock (the host's acks for a batch).
  // Returns true when the checkpoint moved.
  bool complete_many(const uint64_t* ids, size_t count) {
    BriefLock lock(mutex_);  // per ack batch; the reader takes it only to grow the ring
    uint64_t next = next_.load(std::memory_order_acquire);
    uint64_t first = first_.load(std::memory_order_relaxed);
    for (size_t i = 0; i < count; ++i) {
      uint64_t id = ids[i];
      if (id < first || id >= next) continue;  // already committed, or unknown
      slots_[id & mask_].done.store(true, std::memory_order_relaxed);
    }
    if (first == next || !slots_[first & mask_].done.load(std::memory_order_relaxed)) return false;
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
  // and everything after a NACKed line). Lock-free: the reader polls it
  // while it waits for room.
  size_t uncommitted() const {
    return next_.load(std::memory_order_relaxed) - first_.load(std::memory_order_relaxed);
  }

 private:
  struct Slot {
    FilePosition end;
    std::atomic<bool> done{false};
  };
  static constexpr uint64_t kFirstRing = 1024;

  // Doubles the ring, which holds lines [first_, next): the reader's only
  // write to mask_ and slots_, under the lock every other reader of them
  // holds.
  void grow(uint64_t next) {
    std::lock_guard lock(mutex_);
    uint64_t mask = mask_ * 2 + 1;
    auto slots = std::make_unique<Slot[]>(mask + 1);
    for (uint64_t i = first_.load(std::memory_order_relaxed); i < next; ++i) {
      slots[i & mask].end = slots_[i & mask_].end;
      slots[i & mask].done.store(slots_[i & mask_].done.load(std::memory_order_relaxed),
                                 std::memory_order_relaxed);
    }
    slots_ = std::move(slots);
    mask_ = mask;
  }

  const size_t capacity_;
  uint64_t mask_;  // ring size - 1; written by the reader under mutex_
  std::unique_ptr<Slot[]> slots_;
  alignas(64) std::atomic<uint64_t> next_{0};   // written by the reader
  uint64_t reader_first_ = 0;                   // the reader's last look at first_
  alignas(64) std::atomic<uint64_t> first_{0};  // first uncommitted; written under mutex_
  mutable std::mutex mutex_;
  FilePosition committed_;
};

}  // namespace sluice::file
