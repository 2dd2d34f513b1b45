// What every command that reads a config shares: loading it, applying the
// log settings, and loading the plugins of its plugin path.
#pragma once

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "config/config.hpp"
#include "loader/plugin_registry.hpp"

namespace sluice::cli {

// Applies --log-level/--log-format over the config's logging section.
// Returns "" or an error text.
std::string apply_logging(const Options& options, const config::LoggingConfig& logging);

}  // namespace sluice::cli
