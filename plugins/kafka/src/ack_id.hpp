// The ack_id handed to the host with each message: which partition
// assignment it came from (a slot, new on every assignment so that late
// answers for a revoked partition are recognised) and the offset's low bits
// (the partition's tracker restores the full offset).
#pragma once

#include <cstdint>

namespace sluice::kafka {

inline constexpr unsigned kAckSlotBits = 20;
inline constexpr unsigned kAckOffsetBits = 64 - kAckSlotBits;
inline constexpr uint32_t kAckSlotMask = (uint32_t{1} << kAckSlotBits) - 1;
inline constexpr uint64_t kAckOffsetMask = (uint64_t{1} << kAckOffsetBits) - 1;

struct AckId {
  uint32_t slot;        // 1..kAckSlotMask
  uint64_t offset_low;  // offset & kAckOffsetMask

  static uint64_t encode(uint32_t slot, int64_t offset) {
    return (uint64_t{slot & kAckSlotMask} << kAckOffsetBits) |
           (static_cast<uint64_t>(offset) & kAckOffsetMask);
  }
  static AckId decode(uint64_t id) {
    return AckId{static_cast<uint32_t>(id >> kAckOffsetBits), id & kAckOffsetMask};
  }
};

}  // namespace sluice::kafka
