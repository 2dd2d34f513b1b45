// The keys a route entry may have and what each must hold: the one place to
// extend when the route engine (or the Lua API) learns a new key. Both the
// YAML config check and the route compiler (routing/route_spec.cpp) read it,
// so it stays a plain header without runtime dependencies.
#pragma once

#include <array>
#include <string_view>
#include <vector>

namespace sluice::config {

enum class RouteValueShape {
  kString,         // a scalar
  kStringOrList,   // a scalar or a non-empty list of scalars
  kOutputs,        // like kStringOrList, or an output group { fallback: [a, b] }
  kMapping,        // a mapping
  kMappingOrList,  // a mapping or a list (of mappings: `where` tests that all must pass)
  kAny,            // checked by the route engine
};

struct RouteKey {
  std::string_view name;
  RouteValueShape shape;
  bool required;
  bool names_connectors;  // values are "connector" or "connector:subject"
  bool documentation;     // only describes the route; compiles to nothing
};

inline constexpr std::array kRouteKeys = {
    RouteKey{"name", RouteValueShape::kString, false, false, false},
    RouteKey{"description", RouteValueShape::kString, false, false, true},
    RouteKey{"from", RouteValueShape::kStringOrList, true, true, false},
    RouteKey{"where", RouteValueShape::kMappingOrList, false, false, false},
    RouteKey{"to", RouteValueShape::kOutputs, true, true, false},
    RouteKey{"transform", RouteValueShape::kMapping, false, false, false},
    RouteKey{"throttle", RouteValueShape::kMapping, false, false, false},
    RouteKey{"dedup", RouteValueShape::kAny, false, false, false},
    RouteKey{"dead_letter", RouteValueShape::kString, false, true, false},
};

inline std::vector<std::string_view> route_key_names() {
  std::vector<std::string_view> names;
  for (const auto& k : kRouteKeys) names.push_back(k.name);
  return names;
}

}  // namespace sluice::config
