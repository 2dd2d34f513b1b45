// The messages a throttle holds for one key, oldest first: a ring buffer
// that grows only as far as it is used (most keys hold zero or one).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace sluice::routing {

template <class T>
class HeldQueue {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  T& front() { return slots_[head_]; }
  T& back() { return slots_[(head_ + size_ - 1) % slots_.size()]; }

  void push_back(T value) {
    if (size_ == slots_.size()) grow();
    slots_[(head_ + size_) % slots_.size()] = std::move(value);
    ++size_;
  }
  T pop_front() {
    T value = std::move(slots_[head_]);
    head_ = (head_ + 1) % slots_.size();
    --size_;
    return value;
  }
  // Gives back the memory once nothing is held.
  void shrink_if_empty() {
    if (size_ == 0 && slots_.size() > 1) {
      std::vector<T>().swap(slots_);
      head_ = 0;
    }
  }

 private:
  void grow() {
    std::vector<T> bigger(slots_.empty() ? 1 : slots_.size() * 2);
    for (size_t i = 0; i < size_; ++i) bigger[i] = std::move(slots_[(head_ + i) % slots_.size()]);
    slots_ = std::move(bigger);
    head_ = 0;
  }

  std::vector<T> slots_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace sluice::routing
