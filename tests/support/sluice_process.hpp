// Starting the sluice binary under test with the build's plugin directories.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace sluice::test {

// `extra` on top of SLUICE_PLUGIN_PATH=<plugin_dir>:<test_plugin_dir> (an
// SLUICE_PLUGIN_PATH in `extra` wins).
Env sluice_env(const Env& extra = {});

class SluiceProcess : public Process {
 public:
  explicit SluiceProcess(Process&& process) : Process(std::move(process)) {}

  // `$SLUICE_BIN run -c <config_path> <extra_args...>`
  static SluiceProcess run(const std::string& config_path,
                           const std::vector<std::string>& extra_args = {}, const Env& env = {},
                           ProcessOptions options = {});
};

// `$SLUICE_BIN <args...>` running in the background (args e.g. {"run", "-c", path}).
SluiceProcess start_sluice(const std::vector<std::string>& args, const Env& env = {},
                           ProcessOptions options = {});

// `$SLUICE_BIN <args...>` to completion (e.g. {"check", "-c", path}); returns
// its exit status, -1 on timeout. See run_command.
int run_sluice(const std::vector<std::string>& args, std::string* output = nullptr,
               const Env& env = {}, std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace sluice::test
