// Which Redis Cluster master serves each hash slot, as CLUSTER SLOTS says
// (asked at connect and again after a MOVED), patched slot by slot by the
// MOVED replies in between; and the redirection replies themselves
// ("MOVED 3999 127.0.0.1:6381", "ASK 3999 127.0.0.1:6381").
#pragma once

#include <hiredis/hiredis.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "key_slot.hpp"

namespace sluice::redis {

class SlotMap {
 public:
  // Replaces the map with a CLUSTER SLOTS reply; false (map unchanged) with
  // `error` when the reply is no slot table or leaves slots unserved.
  bool assign(const redisReply* cluster_slots, std::string& error);
  // One slot moved (a MOVED reply).
  void move(uint16_t slot, const std::string& address);

  bool empty() const { return masters_.empty(); }
  // "host:port" of the master serving `slot`; empty when unknown.
  const std::string& owner(uint16_t slot) const;
  const std::string& owner_of_key(std::string_view key) const { return owner(key_slot(key)); }
  // Every master's "host:port", in the order CLUSTER SLOTS named them.
  const std::vector<std::string>& masters() const { return masters_; }

 private:
  uint16_t index_of(const std::string& address);

  std::vector<std::string> masters_;
  // Per slot: index into masters_ + 1; 0 = nobody.
  std::array<uint16_t, kClusterSlots> owner_{};
};

struct Redirect {
  bool ask = false;  // ASK: this command only, after ASKING; MOVED: the slot moved for good
  uint16_t slot = 0;
  std::string address;  // "host:port"
};

// A MOVED or ASK error reply as a redirect; nullopt for anything else.
std::optional<Redirect> parse_redirect(const redisReply* reply);
std::optional<Redirect> parse_redirect(std::string_view error_text);

}  // namespace sluice::redis
