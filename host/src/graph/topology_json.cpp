#include "graph/topology_json.hpp"

#include <map>

namespace sluice::graph {
namespace {

// counters[label value][short name]: every counter series labelled with
// `label` (route or connector), named without "sluice_" and "_total".
using CountersByName = std::map<std::string, boost::json::object>;

CountersByName counters_by(const metrics::Registry& metrics, const std::string& label) {
  CountersByName out;
  metrics.for_each([&](const metrics::Family& f) {
    if (f.kind != metrics::Kind::kCounter) return;
    std::string name = f.name;
    if (name.rfind("sluice_", 0) == 0) name = name.substr(7);
    if (name.size() > 6 && name.ends_with("_total")) name.resize(name.size() - 6);
    for (const auto& s : f.series)
      for (const auto& [k, v] : s.labels)
        if (k == label) {
          // Counts as integers (3, not 3E0) while they fit exactly.
          double value = s.counter.value();
          if (value >= 0 && value < 9e15 &&
              value == static_cast<double>(static_cast<int64_t>(value)))
            out[v][name] = static_cast<int64_t>(value);
          else
            out[v][name] = value;
        }
  });
  return out;
}

boost::json::array endpoints_json(const std::vector<Endpoint>& endpoints) {
  boost::json::array out;
  for (const auto& e : endpoints)
    out.push_back(boost::json::object{{"connector", e.connector}, {"subject", e.subject}});
  return out;
}

boost::json::value json_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return ec ? boost::json::value(text) : v;
}

}  // namespace

boost::json::object topology_json(const Topology& t, const metrics::Registry& metrics) {
  auto by_route = counters_by(metrics, "route");
  auto by_connector = counters_by(metrics, "connector");
  boost::json::array connectors, routes, handlers;
  for (const auto& c : t.connectors)
    connectors.push_back(boost::json::object{
        {"name", c.name}, {"plugin", c.plugin}, {"counters", by_connector[c.name]}});
  for (const auto& r : t.routes)
    routes.push_back(boost::json::object{{"name", r.name},
                                         {"declared_at", r.declared_at},
                                         {"from", endpoints_json(r.from)},
                                         {"source_policy", r.source_policy},
                                         {"where", json_or_null(r.where)},
                                         {"transform", json_or_null(r.transform)},
                                         {"dedup", json_or_null(r.dedup)},
                                         {"throttle", json_or_null(r.throttle)},
                                         {"policy", r.policy},
                                         {"to", endpoints_json(r.to)},
                                         {"dead_letter", endpoints_json(r.dead_letter)},
                                         {"counters", by_route[r.name]}});
  for (const auto& h : t.handlers)
    handlers.push_back(boost::json::object{{"name", h.name},
                                           {"declared_at", h.declared_at},
                                           {"kind", h.request ? "on_request" : "on"},
                                           {"from", endpoints_json({h.from})},
                                           {"dead_letter", endpoints_json(h.dead_letter)},
                                           {"counters", by_route[h.name]}});
  return boost::json::object{{"connectors", std::move(connectors)},
                             {"routes", std::move(routes)},
                             {"handlers", std::move(handlers)}};
}

}  // namespace sluice::graph
