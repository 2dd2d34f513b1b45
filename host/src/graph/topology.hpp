// What flows where in a config, as a graph: connectors, routes (with their
// filter, transform, dedup, throttle, outputs and dead letter) and script
// handlers. Read from the config and the script's registrations without
// connecting anywhere; `sluice graph` draws it.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace sluice::graph {

struct ConnectorNode {
  std::string name;
  std::string plugin;
};

// An edge end in a route or handler: a connector and, if given, the
// subject pattern (inputs) or subject template (outputs).
struct Endpoint {
  std::string connector;
  std::string subject;
};

struct RouteNode {
  std::string name;
  std::string declared_at;  // file:line of the YAML entry or the sluice.route call
  std::vector<Endpoint> from;
  std::string source_policy;  // merge, priority, fallback or round_robin
  std::string where;          // the filter as compact JSON; "" = every message
  std::string transform;      // compact JSON; "" = none
  std::string dedup;          // compact JSON; "" = none
  std::string throttle;       // compact JSON; "" = none
  std::string policy;         // fanout, fallback or round_robin
  std::vector<Endpoint> to;
  std::vector<Endpoint> dead_letter;  // at most one
};

struct HandlerNode {
  std::string name;
  std::string declared_at;
  bool request = false;  // sluice.on_request (else sluice.on)
  Endpoint from;
  std::vector<Endpoint> dead_letter;
};

struct Topology {
  std::vector<ConnectorNode> connectors;
  std::vector<RouteNode> routes;
  std::vector<HandlerNode> handlers;
};

// The topology of a loaded config: its YAML routes, plus, when it names a
// script, the script's routes and handlers (the script's top level runs,
// sandboxed, as `sluice check` runs it). Problems go to `errors`.
Topology build_topology(const config::Config& config, std::vector<std::string>& errors);

}  // namespace sluice::graph
