#include "send_queue.hpp"

#include <algorithm>
#include <utility>

namespace sluice::websocket {
namespace {

// A drained ring keeps this many slots; a larger one (left by a burst) is
// given back.
constexpr size_t kKeptSlots = 8;

}  // namespace

SendQueue::Push SendQueue::push(OutFrame frame) {
  if (size_ < capacity_) {
    append(std::move(frame));
    return Push::kQueued;
  }
  switch (policy_) {
    case SlowClientPolicy::kDisconnect:
      return Push::kOverflow;
    case SlowClientPolicy::kKeepLatest:
      // The newest version of a stream supersedes an older one still queued;
      // it takes the older one's place so the stream keeps its turn.
      if (frame.stream_tag != 0) {
        for (size_t i = 0; i < size_; ++i) {
          OutFrame& queued = at(i);
          if (queued.stream_tag == frame.stream_tag) {
            queued = std::move(frame);
            return Push::kReplacedOlder;
          }
        }
      }
      [[fallthrough]];
    case SlowClientPolicy::kDropOldest:
      drop_front();
      append(std::move(frame));
      return Push::kReplacedOlder;
  }
  return Push::kOverflow;
}

bool SendQueue::pop(OutFrame& out) {
  if (size_ == 0) return false;
  out = std::move(at(0));
  drop_front();
  if (size_ == 0 && slots_.size() > kKeptSlots) clear();
  return true;
}

void SendQueue::clear() {
  std::vector<OutFrame>().swap(slots_);
  head_ = 0;
  size_ = 0;
}

void SendQueue::append(OutFrame frame) {
  if (size_ == slots_.size()) grow();
  at(size_) = std::move(frame);
  ++size_;
}

void SendQueue::drop_front() {
  at(0) = OutFrame{};  // the frame's buffers go back now, not when the slot is reused
  head_ = (head_ + 1) % slots_.size();
  --size_;
}

void SendQueue::grow() {
  size_t slots = std::min(capacity_, std::max<size_t>(4, slots_.size() * 2));
  std::vector<OutFrame> bigger;
  bigger.reserve(slots);
  for (size_t i = 0; i < size_; ++i) bigger.push_back(std::move(at(i)));
  bigger.resize(slots);
  slots_.swap(bigger);
  head_ = 0;
}

}  // namespace sluice::websocket
