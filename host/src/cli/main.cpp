// Entry point of the `sluice` executable.
#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace sluice::cli;
  std::string error;
  auto options = parse_options(argc, argv, error);
  if (!options) {
    std::cerr << "sluice: " << error << "\n\n" << usage();
    return kExitUsage;
  }
  if (options->command == "help") {
    std::cout << usage();
    return kExitOk;
  }
  if (options->command == "version") return version_command();
  if (options->command == "plugins") return plugins_command(*options);
  if (options->command == "schema") return schema_command(*options);
  if (options->command == "check") return check_command(*options);
  if (options->command == "tap") return tap_command(*options);
  if (options->command == "test") return test_command(*options);
  if (options->command == "graph") return graph_command(*options);
  return run_command(*options);
}
