// Key/value operations for Lua's sluice.kv, carried as requests to the
// reserved subject `@kv` of a Redis connector: the request payload is
// {"op": "get"|"set"|"incr"|"del", "key": "...", "value": "...", "ttl_ms": N}
// and the reply {"value": ...} (get: the string or null; incr: the count;
// set: "OK"; del: how many keys went). `incr` with a ttl_ms counts in a
// fixed window: the key expires ttl_ms after its first increment (one
// server-side script, so a crash cannot leave a counter without expiry).
// {"op": "take", "key", "count", "limit", "window_ms"} is a shared
// throttle's lease: it grants up to `count` of the window's `limit` tokens
// and answers {"value": [granted, ms until the window resets]}.
#pragma once

#include <hiredis/hiredis.h>

#include <string>
#include <string_view>
#include <vector>

namespace sluice::redis {

inline constexpr std::string_view kKvSubject = "@kv";

// The command for a request payload; empty with `error` when it is not one.
std::vector<std::string> kv_command(std::string_view payload, std::string& error);
// The reply payload for Redis's answer (not an error reply).
std::string kv_reply(const redisReply* reply);

}  // namespace sluice::redis
