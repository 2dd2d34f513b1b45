#include "routing/output_group.hpp"

namespace sluice::routing {

std::optional<OutputPolicy> parse_output_policy(std::string_view name) {
  if (name == "fanout") return OutputPolicy::kFanout;
  if (name == "fallback") return OutputPolicy::kFallback;
  if (name == "round_robin") return OutputPolicy::kRoundRobin;
  return std::nullopt;
}

std::string_view output_policy_name(OutputPolicy policy) {
  switch (policy) {
    case OutputPolicy::kFanout:
      return "fanout";
    case OutputPolicy::kFallback:
      return "fallback";
    case OutputPolicy::kRoundRobin:
      return "round_robin";
  }
  return "?";
}

}  // namespace sluice::routing
