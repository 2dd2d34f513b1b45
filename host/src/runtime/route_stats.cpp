#include "runtime/route_stats.hpp"

namespace sluice::runtime {

RouteStats::RouteStats(metrics::Registry& r, const std::string& route)
    : name(route),
      matched(
          r.counter("sluice_route_matched_total", "Messages a route matched", {{"route", route}})),
      filtered(r.counter("sluice_route_filtered_total",
                         "Messages a route's filter or handler dropped on purpose",
                         {{"route", route}})),
      throttled(r.counter("sluice_route_throttled_total",
                          "Messages held back by a route's throttle", {{"route", route}})),
      coalesced(r.counter("sluice_route_coalesced_total",
                          "Held messages replaced by a newer one (keep_latest)",
                          {{"route", route}})),
      dropped(r.counter("sluice_route_dropped_total",
                        "Messages a route's throttle or buffer dropped", {{"route", route}})),
      dead_lettered(r.counter("sluice_route_dead_lettered_total",
                              "Messages sent to the route's dead-letter output",
                              {{"route", route}})),
      parse_errors(r.counter("sluice_route_parse_errors_total",
                             "Messages whose payload a JSON rule could not parse",
                             {{"route", route}})),
      failed(r.counter("sluice_route_failed_total",
                       "Messages that failed for good on this route (nacked)", {{"route", route}})),
      shared_fallbacks(
          r.counter("sluice_route_throttle_shared_fallbacks_total",
                    "Times a shared throttle got no lease from its store and decided locally",
                    {{"route", route}})) {}

}  // namespace sluice::runtime
