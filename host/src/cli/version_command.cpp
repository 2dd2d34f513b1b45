#include <sluice/plugin.h>

#include <iostream>

#include "cli/commands.hpp"

namespace sluice::cli {

int version_command() {
  std::cout << "sluice " << SLUICE_VERSION << " (plugin ABI " << SLUICE_ABI_MAJOR << "."
            << SLUICE_ABI_MINOR << ")\n";
  return kExitOk;
}

}  // namespace sluice::cli
