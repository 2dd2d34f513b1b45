// `sluice graph`: the config's topology as Graphviz DOT on stdout
// (`sluice graph -c sluice.yaml | dot -Tsvg > sluice.svg`).
#include <iostream>

#include "cli/commands.hpp"
#include "graph/dot_writer.hpp"
#include "graph/topology.hpp"

namespace sluice::cli {

int graph_command(const Options& options) {
  std::vector<config::Diagnostic> diagnostics;
  auto cfg = config::load_config(options.config_path, diagnostics);
  std::vector<std::string> errors;
  for (const auto& d : diagnostics) errors.push_back(d.str());
  graph::Topology topology;
  if (errors.empty()) topology = graph::build_topology(cfg, errors);
  if (!errors.empty()) {
    for (const auto& e : errors) std::cerr << e << "\n";
    std::cerr << "sluice graph: fix these first (sluice check -c " << options.config_path
              << " lists every problem)\n";
    return kExitConfigInvalid;
  }
  std::cout << graph::to_dot(topology);
  return kExitOk;
}

}  // namespace sluice::cli
