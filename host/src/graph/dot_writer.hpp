// A topology as Graphviz DOT: connectors as boxes, routes and handlers as
// nodes between them, labelled with what they do, edges labelled with
// subject patterns and templates; dead letters dashed.
#pragma once

#include <string>

#include "graph/topology.hpp"

namespace sluice::graph {

std::string to_dot(const Topology& topology);

}  // namespace sluice::graph
