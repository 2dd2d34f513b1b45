// A client's bounded queue of frames waiting for the socket. When a slow
// client lets it fill, the policy decides: drop the oldest frame, replace
// an older frame of the same stream (keep_latest), or disconnect the client.
//
// A boost::circular_buffer that allocates nothing until the first frame,
// grows by doubling up to the bound and gives its slots back when it drains
// after a burst: most of 10,000 idle clients have an empty queue, and
// std::deque's first block alone was 576 bytes each.
#pragma once

#include <boost/circular_buffer.hpp>
#include <cstddef>

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
  void clear();

  size_t size() const { return frames_.size(); }
  bool empty() const { return frames_.empty(); }
  size_t capacity() const { return capacity_; }
  // Slots allocated now (for tests: the memory an idle client keeps).
  size_t allocated() const { return frames_.capacity(); }

 private:
  void append(OutFrame frame);

  size_t capacity_;
  SlowClientPolicy policy_;
  boost::circular_buffer<OutFrame> frames_;  // allocated as it fills, up to capacity_
};

}  // namespace sluice::websocket
