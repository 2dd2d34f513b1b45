#include "routing/route_table.hpp"

#include <algorithm>

namespace sluice::routing {

RouteTable::RouteId RouteTable::add(CompiledRoute route) {
  const auto id = static_cast<RouteId>(routes_.size());
  routes_.push_back(std::make_unique<CompiledRoute>(std::move(route)));
  for (const RouteSource& source : routes_.back()->from) {
    auto it = by_connector_.find(std::string_view(source.connector));
    if (it == by_connector_.end())
      it = by_connector_.emplace(source.connector, PerConnector{}).first;
    PerConnector& c = it->second;
    if (!source.pattern) {
      if (c.every_subject.empty() || c.every_subject.back() != id) c.every_subject.push_back(id);
    } else {
      c.patterns.add(*source.pattern, id);
    }
  }
  return id;
}

void RouteTable::match(std::string_view connector, std::string_view subject,
                       std::vector<RouteId>& out) const {
  auto it = by_connector_.find(connector);
  if (it == by_connector_.end()) return;
  const PerConnector& c = it->second;
  const size_t first = out.size();
  out.insert(out.end(), c.every_subject.begin(), c.every_subject.end());
  const size_t from_patterns = out.size();
  c.patterns.match(subject, out);
  // Both runs are sorted; merge them and drop routes found both ways.
  if (from_patterns != first && out.size() != from_patterns) {
    std::inplace_merge(out.begin() + first, out.begin() + from_patterns, out.end());
    out.erase(std::unique(out.begin() + first, out.end()), out.end());
  }
}

std::map<std::string, std::vector<std::string>> RouteTable::subscriptions() const {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& route : routes_) {
    for (const RouteSource& source : route->from) {
      auto& patterns = out[source.connector];
      if (!source.pattern) continue;
      const std::string& text = source.pattern->text();
      if (std::find(patterns.begin(), patterns.end(), text) == patterns.end())
        patterns.push_back(text);
    }
  }
  return out;
}

}  // namespace sluice::routing
