// A client's bounded queue of frames waiting for the socket. When a slow
// client lets it fill, the policy decides: drop the oldest frame, replace
// an older frame of the same stream (keep_latest), or disconnect the client.
#pragma once

#include <cstddef>
#include <deque>

#include "out_frame.hpp"

namespace sluice::websocket {

enum class SlowClientPolicy { kDropOldest, kKeepLatest, kDisconnect };

class SendQueue {
 public:
  enum class Push {
    kQueued,         // added, nothing lost
    kReplacedOlder,  // added; one older frame was dropped to make room
    kOverflow,       // full under the disconnect policy: nothing added
  };

  SendQueue(size_t capacity, SlowClientPolicy policy)
      : capacity_(capacity < 1 ? 1 : capacity), policy_(policy) {}

  Push push(OutFrame frame);
  bool pop(OutFrame& out);
  void clear() { frames_.clear(); }

  size_t size() const { return frames_.size(); }
  bool empty() const { return frames_.empty(); }
  size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  SlowClientPolicy policy_;
  std::deque<OutFrame> frames_;
};

}  // namespace sluice::websocket
