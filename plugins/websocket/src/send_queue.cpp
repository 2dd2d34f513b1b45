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
  if (frames_.size() < capacity_) {
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
        for (auto& queued : frames_) {
          if (queued.stream_tag == frame.stream_tag) {
            queued = std::move(frame);
            return Push::kReplacedOlder;
          }
        }
      }
      [[fallthrough]];
    case SlowClientPolicy::kDropOldest:
      frames_.pop_front();
      append(std::move(frame));
      return Push::kReplacedOlder;
  }
  return Push::kOverflow;
}

bool SendQueue::pop(OutFrame& out) {
  if (frames_.empty()) return false;
  out = std::move(frames_.front());
  frames_.pop_front();
  if (frames_.empty() && frames_.capacity() > kKeptSlots) clear();
  return true;
}

void SendQueue::clear() { boost::circular_buffer<OutFrame>().swap(frames_); }

void SendQueue::append(OutFrame frame) {
  if (frames_.full())
    frames_.set_capacity(std::min(capacity_, std::max<size_t>(4, frames_.capacity() * 2)));
  frames_.push_back(std::move(frame));
}

}  // namespace sluice::websocket
