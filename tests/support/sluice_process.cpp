#include "support/sluice_process.hpp"

#include "support/env.hpp"

namespace sluice::test {
namespace {

std::vector<std::string> sluice_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{sluice_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

Env sluice_env(const Env& extra) {
  Env env{{"SLUICE_PLUGIN_PATH", plugin_dir() + ":" + test_plugin_dir()}};
  for (const auto& [name, value] : extra) env[name] = value;
  return env;
}

SluiceProcess SluiceProcess::run(const std::string& config_path,
                                 const std::vector<std::string>& extra_args, const Env& env,
                                 ProcessOptions options) {
  std::vector<std::string> args{"run", "-c", config_path};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return start_sluice(args, env, std::move(options));
}

SluiceProcess start_sluice(const std::vector<std::string>& args, const Env& env,
                           ProcessOptions options) {
  return SluiceProcess(Process(sluice_argv(args), sluice_env(env), std::move(options)));
}

int run_sluice(const std::vector<std::string>& args, std::string* output, const Env& env,
               std::chrono::milliseconds timeout) {
  return run_command(sluice_argv(args), sluice_env(env), output, timeout);
}

}  // namespace sluice::test
