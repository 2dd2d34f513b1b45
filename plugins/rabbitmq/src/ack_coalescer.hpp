// Which basic.acks to send for the deliveries the host acked: one ack with
// multiple=true for everything below the lowest delivery still unsettled,
// single acks for the rest. A delivery counts as unsettled from the moment
// it arrives (even before sluice took it) until it is acked or nacked, so a
// multiple ack never covers a message nobody processed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

namespace sluice::rabbitmq {

class AckCoalescer {
 public:
  struct Ack {
    uint64_t tag;
    bool multiple;
    bool operator==(const Ack&) const = default;
  };

  void received(uint64_t tag) { unsettled_.insert(tag); }
  // Nacked or rejected: settled without an ack.
  void settled(uint64_t tag) { unsettled_.erase(tag); }
  void acked(uint64_t tag) { to_ack_.push_back(tag); }
  bool has_acks() const { return !to_ack_.empty(); }

  // The acks to send now for everything acked since the last call.
  std::vector<Ack> take();
  // A new channel: tags start over.
  void reset() {
    unsettled_.clear();
    to_ack_.clear();
  }
  size_t unsettled() const { return unsettled_.size(); }

 private:
  std::set<uint64_t> unsettled_;
  std::vector<uint64_t> to_ack_;
};

}  // namespace sluice::rabbitmq
