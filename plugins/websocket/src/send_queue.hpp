// A client's bounded queue of frames waiting for the socket. When a slow
// client lets it fill, the policy decides: drop the oldest frame, replace
// an older frame of the same stream (keep_latest), or disconnect the client.
//
// A ring that allocates nothing until the first frame and gives its slots
// back when it drains after a burst: most of 10,000 idle clients have an
// empty queue, and std::deque's first block alone was 576 bytes each.
#pragma once

#include <cstddef>
#include <vector>

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

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return capacity_; }
  // Slots allocated now (for tests: the memory an idle client keeps).
  size_t allocated() const { return slots_.size(); }

 private:
  OutFrame& at(size_t i) { return slots_[(head_ + i) % slots_.size()]; }
  void append(OutFrame frame);
  void drop_front();
  void grow();

  size_t capacity_;
  SlowClientPolicy policy_;
  std::vector<OutFrame> slots_;  // the ring; frames live in [head_, head_ + size_)
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace sluice::websocket
