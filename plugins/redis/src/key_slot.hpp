// Which of Redis Cluster's 16384 hash slots a key belongs to: CRC16
// (XMODEM) of the key, or of its hash tag (the text between the first `{`
// and the next `}` when that is not empty), modulo 16384 — the rule of the
// Redis Cluster specification, so keys with one tag share a node.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::redis {

inline constexpr uint16_t kClusterSlots = 16384;

uint16_t crc16(std::string_view data);
uint16_t key_slot(std::string_view key);

}  // namespace sluice::redis
