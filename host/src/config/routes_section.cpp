// routes: — the declarative rules. The loader checks their shape (allowed
// keys, value types, connectors that exist) and keeps each as JSON for the
// route engine, which compiles what the values mean.
#include <algorithm>
#include <map>
#include <sluice/common/did_you_mean.hpp>

#include "config/config_sections.hpp"
#include "config/route_keys.hpp"
#include "config/scalar_typing.hpp"

namespace sluice::config {
namespace {

// Every key below the route, as "throttle.rate" or "to[1]" (list items by
// their own place), for the route engine's messages.
void collect_locations(const ConfigNode& node, const std::string& prefix,
                       std::map<std::string, SourceLocation>& out) {
  if (node.is_mapping()) {
    for (const auto& e : node.entries) {
      std::string path = prefix.empty() ? e.key : prefix + "." + e.key;
      out.emplace(path, e.key_where);
      collect_locations(e.value, path, out);
    }
  } else if (node.is_sequence()) {
    for (size_t i = 0; i < node.items.size(); ++i) {
      std::string path = prefix + "[" + std::to_string(i) + "]";
      out.emplace(path, node.items[i].where);
      collect_locations(node.items[i], path, out);
    }
  }
}

void check_value(const RouteKey& key, const ConfigNode& value, const std::string& path,
                 const ConnectorNames& connector_names, FieldReader& reader) {
  std::vector<LocatedString> targets;
  switch (key.shape) {
    case RouteValueShape::kString:
      if (auto s = reader.string(value, path)) targets.push_back({*s, value.where});
      break;
    case RouteValueShape::kStringOrList:
      if (auto list = reader.string_or_list(value, path)) targets = std::move(*list);
      break;
    case RouteValueShape::kSources:
      if (value.is_mapping()) {
        // A source policy: the route engine checks its settings; the
        // connectors in its list must exist all the same.
        for (const auto& entry : value.entries) {
          if (!entry.value.is_sequence()) continue;  // silence_ms, standby, batch
          std::string list_path = path + "." + entry.key;
          if (auto list = reader.string_or_list(entry.value, list_path))
            for (auto& t : *list) check_connector_reference(t, list_path, connector_names, reader);
        }
        return;
      }
      if (auto list = reader.string_or_list(value, path)) targets = std::move(*list);
      break;
    case RouteValueShape::kOutputs:
      if (value.is_mapping()) {
        // An output group: the route engine checks the policy names; the
        // connectors in it must exist all the same.
        for (const auto& group : value.entries) {
          std::string group_path = path + "." + group.key;
          if (auto list = reader.string_or_list(group.value, group_path)) {
            for (auto& t : *list) check_connector_reference(t, group_path, connector_names, reader);
          }
        }
        return;
      }
      if (auto list = reader.string_or_list(value, path)) targets = std::move(*list);
      break;
    case RouteValueShape::kMapping:
      if (!value.is_mapping()) {
        reader.error(value.where, path + ": expected a mapping, got " + describe(value));
      }
      break;
    case RouteValueShape::kMappingOrList:
      if (!value.is_mapping() && !value.is_sequence()) {
        reader.error(value.where, path + ": expected a mapping or a list, got " + describe(value));
      }
      break;
    case RouteValueShape::kAny:
      break;
  }
  if (!key.names_connectors) return;
  for (const auto& t : targets) check_connector_reference(t, path, connector_names, reader);
}

RouteConfig read_route(const ConfigNode& node, const std::string& path,
                       const ConnectorNames& connector_names, FieldReader& reader) {
  RouteConfig route;
  route.where = node.where;
  reader.reject_unknown_keys(node, route_key_names(), path);
  for (const auto& key : kRouteKeys) {
    const auto* entry = node.find(key.name);
    if (!entry) {
      if (key.required) {
        reader.error(node.where, path + ": missing required key '" + std::string(key.name) + "'");
      }
      continue;
    }
    check_value(key, entry->value, path + "." + std::string(key.name), connector_names, reader);
  }
  if (const auto* name = node.find("name"); name && name->value.is_scalar()) {
    route.name = name->value.text;
  }
  route.spec = to_json(node, reader.errors()).as_object();
  collect_locations(node, "", route.key_locations);
  return route;
}

}  // namespace

ConnectorNames::ConnectorNames(const std::vector<ConnectorConfig>& connectors) {
  for (const auto& c : connectors) {
    in_order_.push_back(c.name);
    set_.insert(c.name);
  }
}

std::vector<std::string_view> ConnectorNames::in_order() const {
  return {in_order_.begin(), in_order_.end()};
}

void check_connector_reference(const LocatedString& target, std::string_view path,
                               const ConnectorNames& connector_names, FieldReader& reader) {
  const std::string& text = target.value;
  size_t colon = text.find(':');
  std::string name = text.substr(0, colon);
  std::string at = std::string(path) + ": ";
  if (name.empty()) {
    reader.error(target.where, at + "'" + text +
                                   "' names no connector (write connector or "
                                   "connector:subject)");
    return;
  }
  if (colon != std::string::npos && colon + 1 == text.size()) {
    reader.error(target.where, at + "'" + text + "' has nothing after ':' (write '" + name +
                                   "' alone, or connector:subject)");
  }
  if (connector_names.contains(name)) return;
  std::string hint = connector_names.empty()
                         ? " (no connectors are defined)"
                         : common::did_you_mean(name, connector_names.in_order());
  reader.error(target.where, at + "unknown connector '" + name + "'" + hint);
}

std::vector<RouteConfig> read_routes(const ConfigNode& node, const ConnectorNames& connector_names,
                                     FieldReader& reader) {
  std::vector<RouteConfig> routes;
  if (node.is_null()) return routes;
  if (!node.is_sequence()) {
    reader.error(node.where,
                 "routes: expected a list of routes (- from: ... to: ...), got " + describe(node));
    return routes;
  }
  std::map<std::string, SourceLocation> named;
  for (size_t i = 0; i < node.items.size(); ++i) {
    const ConfigNode& item = node.items[i];
    std::string path = "routes[" + std::to_string(i) + "]";
    if (!item.is_mapping()) {
      reader.error(item.where,
                   path + ": expected a mapping (from:, to:, ...), got " + describe(item));
      continue;
    }
    RouteConfig route = read_route(item, path, connector_names, reader);
    if (!route.name.empty()) {
      auto [it, fresh] = named.emplace(route.name, route.key_locations["name"]);
      if (!fresh) {
        reader.error(route.key_locations["name"], "duplicate route name '" + route.name +
                                                      "' (first defined at " + it->second.str() +
                                                      ")");
      }
    }
    routes.push_back(std::move(route));
  }
  return routes;
}

}  // namespace sluice::config
