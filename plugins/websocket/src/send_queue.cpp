#include "send_queue.hpp"

#include <utility>

namespace sluice::websocket {

SendQueue::Push SendQueue::push(OutFrame frame) {
  if (frames_.size() < capacity_) {
    frames_.push_back(std::move(frame));
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
      frames_.push_back(std::move(frame));
      return Push::kReplacedOlder;
  }
  return Push::kOverflow;
}

bool SendQueue::pop(OutFrame& out) {
  if (frames_.empty()) return false;
  out = std::move(frames_.front());
  frames_.pop_front();
  return true;
}

}  // namespace sluice::websocket
