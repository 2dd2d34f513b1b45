// A bounded multi-producer queue with blocking and timed push, and batch
// pop for one consumer. The bound is what turns a slow consumer into
// backpressure instead of unbounded memory.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <sluice/brief_lock.hpp>
#include <vector>

namespace sluice::runtime {

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  // Waits up to `wait` for room. False when still full or closed.
  bool push(T item, std::chrono::milliseconds wait) {
    lock_briefly(mutex_);  // once per message, against pop_batch()
    std::unique_lock lock(mutex_, std::adopt_lock);
    if (items_.size() >= capacity_ && !closed_) {
      if (wait.count() == 0) return false;
      ++producers_waiting_;
      not_full_.wait_for(lock, wait, [&] { return items_.size() < capacity_ || closed_; });
      --producers_waiting_;
    }
    if (closed_ || items_.size() >= capacity_) return false;
    items_.push_back(std::move(item));
    lock.unlock();
    not_empty_.notify_one();
    return true;
  }

  // Moves items from `first` on into the queue, in order, while there is
  // room, waiting until `deadline` for room as the consumer frees it.
  // Returns how many were moved (a prefix; the rest stay where they are).
  // One lock and one wake-up for the lot instead of one per item.
  template <class It>
  size_t push_many(It first, It last, std::chrono::steady_clock::time_point deadline) {
    size_t pushed = 0;
    std::unique_lock lock(mutex_);
    while (first != last && !closed_) {
      if (items_.size() >= capacity_) {
        if (pushed > 0) not_empty_.notify_one();  // let the consumer make room
        ++producers_waiting_;
        bool room = not_full_.wait_until(lock, deadline,
                                         [&] { return items_.size() < capacity_ || closed_; });
        --producers_waiting_;
        if (!room || closed_) break;
      }
      for (; first != last && items_.size() < capacity_; ++first, ++pushed)
        items_.push_back(std::move(*first));
    }
    lock.unlock();
    if (pushed > 0) not_empty_.notify_one();
    return pushed;
  }

  // Ignores the bound: for work that is already counted elsewhere (retries,
  // released throttled messages) and must never be refused.
  void push_always(T item) {
    {
      std::lock_guard lock(mutex_);
      items_.push_back(std::move(item));
    }
    not_empty_.notify_one();
  }

  // Moves up to `max` items into `out`; waits up to `wait` for the first.
  // Returns false when closed and empty.
  bool pop_batch(std::vector<T>& out, size_t max, std::chrono::milliseconds wait) {
    lock_briefly(mutex_);
    std::unique_lock lock(mutex_, std::adopt_lock);
    if (items_.empty()) {
      if (closed_) return false;
      not_empty_.wait_for(lock, wait, [&] { return !items_.empty() || closed_; });
    }
    if (items_.empty()) return !closed_;
    size_t n = std::min(max, items_.size());
    for (size_t i = 0; i < n; ++i) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    // Waiting producers are woken once the queue is half empty, not after
    // every batch: a full queue then costs them one wake-up per half queue
    // instead of one per batch (each a futex call on both sides).
    bool wake = producers_waiting_ > 0 && items_.size() <= capacity_ / 2;
    lock.unlock();
    if (wake) not_full_.notify_all();
    return true;
  }

  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;
  bool closed_ = false;
  int producers_waiting_ = 0;
};

}  // namespace sluice::runtime
