// Where a Redis server is: `redis://[user[:password]@]host[:port][/db]` or
// `unix:/path/to/redis.sock[?db=N]`. `rediss://` (TLS) needs hiredis >= 1.0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::redis {

struct RedisEndpoint {
  std::string host;  // empty for a unix socket
  uint16_t port = 6379;
  std::string unix_path;  // non-empty: a unix socket
  std::string user;       // ACL user; empty = `default`
  std::string password;   // empty = no AUTH
  std::optional<int> db;  // from the URL's path or ?db=
  bool tls = false;       // rediss://

  std::string describe() const;  // "127.0.0.1:6379" or "unix:/path" (never the password)
};

// Parses `url` into `out`; returns why it is not a usable URL, or nullopt.
std::optional<std::string> parse_redis_url(std::string_view url, RedisEndpoint& out);

// "host:port" (or "[v6]:port"; `default_port` when none) -> out's host and
// port; returns why not, or nullopt.
std::optional<std::string> parse_host_port(std::string_view text, uint16_t default_port,
                                           RedisEndpoint& out);

}  // namespace sluice::redis
