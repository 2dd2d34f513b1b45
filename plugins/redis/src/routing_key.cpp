// The key a command is routed by in a cluster (see routing_key.hpp).
#include "routing_key.hpp"

#include <strings.h>

namespace sluice::redis {

namespace {

bool is(const std::string& arg, const char* verb) { return strcasecmp(arg.c_str(), verb) == 0; }

}  // namespace

std::optional<std::string_view> routing_key(const std::vector<std::string>& args) {
  if (args.size() < 2 || is(args[0], "PUBLISH")) return std::nullopt;
  if (is(args[0], "EVAL") || is(args[0], "EVALSHA")) {
    if (args.size() < 4 || args[2] == "0") return std::nullopt;  // no keys: any node
    return args[3];
  }
  return args[1];
}

}  // namespace sluice::redis
