// What a message published to a Redis connector becomes: PUBLISH, XADD
// (with MAXLEN/MINID trimming), LPUSH, RPUSH, SET (PX ttl) or HSET on the
// message's subject, else the connector's `target`.
#pragma once

#include <cstdint>
#include <sluice/plugin.hpp>
#include <string>
#include <vector>

#include "redis_settings.hpp"

namespace sluice::redis {

// The command's arguments; empty with `error` set when there is no key.
std::vector<std::string> sink_command(const RedisSettings& settings, const MessageView& message,
                                      int64_t now_ms, std::string& error);

}  // namespace sluice::redis
