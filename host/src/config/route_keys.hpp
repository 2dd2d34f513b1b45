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
  kSources,        // like kStringOrList, or a source policy { priority: [a, b], silence_ms: 5000 }
  kOutputs,        // like kStringOrList, or an output group { fallback: [a, b] }
  kMapping,        // a mapping
  kMappingOrList,  // a mapping or a list (of mappings: `where` tests that all must pass)
  kAny,            // checked by the route engine
};

struct RouteKey {
  std::string_view name;
  RouteValueShape shape;
  bool required;
  bool names_connectors;         // values are "connector" or "connector:subject"
  bool documentation;            // only describes the route; compiles to nothing
  std::string_view description;  // for `sluice schema` (editors show it)
};

inline constexpr std::array kRouteKeys = {
    RouteKey{"name", RouteValueShape::kString, false, false, false,
             "names the route in logs and metrics (route label)"},
    RouteKey{"description", RouteValueShape::kString, false, false, true,
             "what the route is for; compiles to nothing"},
    RouteKey{"from", RouteValueShape::kSources, true, true, false,
             "connector or connector:subject-pattern, a list of them (merge), or a source policy "
             "{priority: [...]} / {fallback: [...]} / {round_robin: [...]} with silence_ms, "
             "standby (drop or pause) and batch"},
    RouteKey{"where", RouteValueShape::kMappingOrList, false, false, false,
             "field tests that must all pass: equality, in, not_in, prefix, lt, gt, exists, ..."},
    RouteKey{"to", RouteValueShape::kOutputs, true, true, false,
             "connector or connector:subject (templated), a list (fan-out), or "
             "{fallback: [...]} / {round_robin: [...]}"},
    RouteKey{"transform", RouteValueShape::kMapping, false, false, false,
             "rename, then set, then remove payload fields, natively"},
    RouteKey{"throttle", RouteValueShape::kMapping, false, false, false,
             "key, rate, burst, min_interval_ms, keep_latest, buffer, overflow, max_keys, shared"},
    RouteKey{"dedup", RouteValueShape::kAny, false, false, false,
             "{key, window_ms}: drop repeats of a key within the window"},
    RouteKey{"dead_letter", RouteValueShape::kString, false, true, false,
             "where messages go that an output refused for good"},
};

inline std::vector<std::string_view> route_key_names() {
  std::vector<std::string_view> names;
  for (const auto& k : kRouteKeys) names.push_back(k.name);
  return names;
}

}  // namespace sluice::config
