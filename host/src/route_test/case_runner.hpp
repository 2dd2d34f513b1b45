// Runs the cases of one test file against its config: each case in a fresh
// runtime (the real router, transforms, throttles and Lua handlers) whose
// connectors are in-memory stand-ins and whose timers run on a virtual
// clock, so a case is deterministic and needs no broker.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "loader/plugin_registry.hpp"
#include "route_test/stand_in_connectors.hpp"
#include "route_test/test_file.hpp"

namespace sluice::route_test {

struct CaseOutcome {
  bool passed = false;
  std::vector<std::string> diff;  // why it failed, as lines
};

class CaseRunner {
 public:
  explicit CaseRunner(const TestFile& file) : file_(file) {}
  CaseRunner(const CaseRunner&) = delete;
  CaseRunner& operator=(const CaseRunner&) = delete;

  // Loads the config, validates each connector's settings with its real
  // plugin when that is installed, and checks that every connector the
  // file names exists. Returns every problem (the file cannot run).
  std::vector<std::string> prepare();
  CaseOutcome run(const TestCase& test_case) const;

 private:
  void check_names(const TestCase& c, std::vector<std::string>& errors) const;

  const TestFile& file_;
  config::Config config_;
  loader::PluginRegistry installed_;  // the real plugins, to validate and to copy their shape
  StandInPlugins stand_ins_;
  loader::PluginRegistry registry_;  // the stand-ins the runtime uses
};

}  // namespace sluice::route_test
