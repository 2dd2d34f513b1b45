// The subcommands of the `sluice` executable; each returns an exit code.
#pragma once

#include "cli/options.hpp"

namespace sluice::cli {

int run_command(const Options& options);
int check_command(const Options& options);
int tap_command(const Options& options);
int test_command(const Options& options);
int graph_command(const Options& options);
int plugins_command(const Options& options);
int schema_command(const Options& options);
int version_command();

}  // namespace sluice::cli
