#include "graph/topology.hpp"

#include "config/regular_file.hpp"
#include "lua/script_router.hpp"
#include "lua/script_state.hpp"
#include "runtime/router.hpp"

namespace sluice::graph {
namespace {

Endpoint endpoint(const std::string& text) {
  auto t = runtime::parse_target(text);
  return {t.connector, t.subject};
}

std::vector<Endpoint> endpoints(const boost::json::value* v) {
  std::vector<Endpoint> out;
  if (!v) return out;
  if (v->is_string()) out.push_back(endpoint(std::string(v->get_string())));
  if (v->is_array())
    for (const auto& item : v->get_array())
      if (item.is_string()) out.push_back(endpoint(std::string(item.get_string())));
  return out;
}

std::string compact(const boost::json::object& spec, const char* key) {
  const auto* v = spec.if_contains(key);
  return v ? boost::json::serialize(*v) : "";
}

RouteNode route_node(const config::RouteConfig& rc, size_t index) {
  const auto& spec = rc.spec;
  RouteNode r;
  r.name = rc.name;
  if (const auto* n = spec.if_contains("name"); r.name.empty() && n && n->is_string())
    r.name = n->get_string();
  // As build_router names a route without one.
  if (r.name.empty()) r.name = "route-" + std::to_string(index + 1);
  r.declared_at = rc.where.str();
  r.source_policy = "merge";
  const auto* from = spec.if_contains("from");
  if (from && from->is_object()) {
    // {priority: [...], silence_ms: ...}: the list is under the policy's name.
    for (const auto& [key, value] : from->get_object()) {
      if (!value.is_array()) continue;
      r.source_policy = std::string(key);
      r.from = endpoints(&value);
    }
  } else {
    r.from = endpoints(from);
  }
  r.where = compact(spec, "where");
  r.transform = compact(spec, "transform");
  r.dedup = compact(spec, "dedup");
  r.throttle = compact(spec, "throttle");
  r.policy = "fanout";
  const auto* to = spec.if_contains("to");
  if (to && to->is_object()) {
    // {fallback: [...]}, {round_robin: [...]} or {fanout: [...]}
    for (const auto& [policy, targets] : to->get_object()) {
      r.policy = std::string(policy);
      r.to = endpoints(&targets);
    }
  } else {
    r.to = endpoints(to);
  }
  r.dead_letter = endpoints(spec.if_contains("dead_letter"));
  return r;
}

}  // namespace

Topology build_topology(const config::Config& config, std::vector<std::string>& errors) {
  Topology t;
  for (const auto& c : config.connectors) t.connectors.push_back({c.name, c.plugin});
  std::vector<config::RouteConfig> routes = config.routes;
  if (!config.script.empty()) {
    std::string source;
    if (std::string why =
            config::read_regular_file(config.script, config::kMaxScriptFileBytes, source);
        !why.empty()) {
      errors.push_back(config.script + ": " + why);
      return t;
    }
    // No connectors: the top level only registers; nothing is sent.
    lua::ScriptState state(config.script, config.node_id, lua::limits_from(config.script_limits),
                           nullptr);
    if (std::string error = state.load(source); !error.empty()) {
      errors.push_back(error);
      return t;
    }
    for (const auto& r : state.routes()) routes.push_back(r);
    for (const auto& h : state.handlers()) {
      HandlerNode node;
      node.name = h.name;
      node.declared_at = h.where.str();
      node.request = h.kind == lua::HandlerSpec::Kind::kRequest;
      node.from = endpoint(h.from);
      if (!h.dead_letter.empty()) node.dead_letter.push_back(endpoint(h.dead_letter));
      t.handlers.push_back(std::move(node));
    }
  }
  for (size_t i = 0; i < routes.size(); ++i) t.routes.push_back(route_node(routes[i], i));
  return t;
}

}  // namespace sluice::graph
