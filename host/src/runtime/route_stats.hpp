// Per-route counters, shared by native rules and script handlers.
#pragma once

#include <string>

#include "metrics/registry.hpp"

namespace sluice::runtime {

struct RouteStats {
  RouteStats(metrics::Registry& registry, const std::string& route);

  std::string name;
  metrics::Counter& matched;
  metrics::Counter& filtered;
  metrics::Counter& throttled;
  metrics::Counter& coalesced;
  metrics::Counter& dropped;
  metrics::Counter& dead_lettered;
  metrics::Counter& parse_errors;
  metrics::Counter& failed;
  metrics::Counter& shared_fallbacks;
};

}  // namespace sluice::runtime
