// All compiled routes, indexed so that a message's routes are found from
// its source connector and subject without testing every route: a hash
// lookup by connector, then a SubjectIndex over that connector's patterns.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "routing/route_spec.hpp"
#include "routing/string_hash.hpp"
#include "routing/subject_index.hpp"

namespace sluice::routing {

class RouteTable {
 public:
  using RouteId = uint32_t;  // the order routes were added in: 0, 1, 2...

  RouteId add(CompiledRoute route);

  // Appends the routes whose `from` matches, in the order they were added,
  // each once (a route listing two matching sources is reported once).
  void match(std::string_view connector, std::string_view subject, std::vector<RouteId>& out) const;

  const CompiledRoute& route(RouteId id) const { return *routes_[id]; }
  size_t size() const { return routes_.size(); }

  // Per source connector, the distinct subject patterns its routes read
  // (for the plugin's subscribe), in first-use order. A connector read
  // without a pattern appears with whatever patterns other routes add, or
  // with an empty list.
  std::map<std::string, std::vector<std::string>> subscriptions() const;

 private:
  struct PerConnector {
    std::vector<RouteId> every_subject;  // `from: connector`, sorted
    SubjectIndex patterns;
  };

  std::vector<std::unique_ptr<CompiledRoute>> routes_;
  StringMap<PerConnector> by_connector_;
};

}  // namespace sluice::routing
