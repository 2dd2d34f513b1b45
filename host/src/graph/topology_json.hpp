// The topology as JSON for the admin server's GET /graph: the same nodes
// and edges `sluice graph` draws, with each route's, handler's and
// connector's counters as they are at the moment of the request.
#pragma once

#include <boost/json.hpp>

#include "graph/topology.hpp"
#include "metrics/registry.hpp"

namespace sluice::graph {

boost::json::object topology_json(const Topology& topology, const metrics::Registry& metrics);

}  // namespace sluice::graph
