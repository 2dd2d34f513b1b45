// What the consumers (pub/sub, streams, lists) hand to the I/O loop: a
// message read from Redis and waiting to be emitted, and the ack id that
// tells the loop which consumer's entry an ack is for.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "entry_mapping.hpp"

namespace sluice::redis {

struct Ready {
  std::string subject;
  std::string payload;
  FieldList headers;
  FieldList attributes;
  std::string reply_to;  // a request's reply handle: reply channel, newline, id
  uint64_t ack_id = 0;   // 0: nothing to acknowledge (pub/sub, at-most-once lists)
};

enum class AckKind : uint64_t { kNone = 0, kStream = 1, kList = 2 };
inline constexpr int kAckKindShift = 60;
inline uint64_t make_ack_id(AckKind kind, uint64_t seq) {
  return (static_cast<uint64_t>(kind) << kAckKindShift) | seq;
}
inline AckKind ack_kind(uint64_t ack_id) { return static_cast<AckKind>(ack_id >> kAckKindShift); }
inline uint64_t ack_seq(uint64_t ack_id) { return ack_id & ((uint64_t{1} << kAckKindShift) - 1); }

// Several consumers of one kind (a cluster's streams, each on its master)
// tell their acks apart by a tag in the high bits of their sequences.
inline constexpr int kSeqTagShift = 40;
inline uint64_t first_seq(uint64_t tag) { return (tag << kSeqTagShift) + 1; }
inline uint64_t seq_tag_of(uint64_t seq) { return seq >> kSeqTagShift; }

// The loop's queue of messages to emit, with the room the consumers may fill.
struct ReadyQueue {
  std::deque<Ready> items;
  size_t max_buffered = 10000;
  bool has_room() const { return items.size() < max_buffered; }
};

}  // namespace sluice::redis
