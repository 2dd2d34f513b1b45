// Which argument of a command decides its Redis Cluster node: the key of the
// sink's and sluice.kv's commands (XADD, LPUSH, RPUSH, SET, HSET, GET, DEL:
// the first argument; EVAL: the first of its keys). PUBLISH has none: any
// node takes it and Cluster broadcasts it to every node.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::redis {

std::optional<std::string_view> routing_key(const std::vector<std::string>& args);

}  // namespace sluice::redis
