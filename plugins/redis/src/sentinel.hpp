// Finding the current master through Redis Sentinel: each sentinel is asked
// in turn (`SENTINEL get-master-addr-by-name`) until one answers; the I/O
// loop asks again whenever its connection is lost or the server turns out
// to be a replica (READONLY, ROLE), which is how a failover is followed.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis_url.hpp"

namespace sluice::redis {

// "host:port" (or "[v6]:port"; port default 26379) -> endpoint, or why not.
std::optional<std::string> parse_sentinel_address(std::string_view text, RedisEndpoint& out);

class SentinelResolver {
 public:
  SentinelResolver(std::vector<RedisEndpoint> sentinels, std::string master_name,
                   std::string password, std::chrono::milliseconds timeout);

  bool enabled() const { return !sentinels_.empty(); }
  // Asks the sentinels, starting after the one that answered last; the
  // master's host and port, or nullopt with `error` naming every refusal.
  std::optional<RedisEndpoint> master(std::string& error);

 private:
  std::vector<RedisEndpoint> sentinels_;
  std::string master_name_;
  std::string password_;
  std::chrono::milliseconds timeout_;
  size_t next_ = 0;
};

// True when the server behind `endpoint` says ROLE master; else `error`.
bool is_master(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout,
               std::string& error);

}  // namespace sluice::redis
