// `sluice test`: runs the cases of route test files and prints one line per
// case, a diff for each failure and the totals, like a test runner.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/setup.hpp"
#include "log/logger.hpp"
#include "route_test/case_runner.hpp"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;

// Without named files: every *.test.yaml next to the -c config, else in
// the current directory, in name order.
std::vector<std::string> discover_test_files(const Options& options) {
  fs::path dir = options.config_given ? fs::path(options.config_path).parent_path() : fs::path();
  if (dir.empty()) dir = ".";
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() > 10 && name.ends_with(".test.yaml") && entry.is_regular_file(ec))
      files.push_back(entry.path().lexically_normal().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int test_command(const Options& options) {
  // Routing's own info lines (connectors started, stopped) are noise here;
  // warnings (a handler's error) still show. --log-level overrides.
  config::LoggingConfig quiet;
  quiet.level = "warn";
  if (std::string e = apply_logging(options, quiet); !e.empty()) {
    std::cerr << "sluice: " << e << "\n";
    return kExitUsage;
  }
  std::vector<std::string> paths =
      options.files.empty() ? discover_test_files(options) : options.files;
  if (paths.empty()) {
    std::cerr << "sluice test: no test files (*.test.yaml) in "
              << (options.config_given ? fs::path(options.config_path).parent_path().string()
                                       : std::string("the current directory"))
              << "; name them: sluice test FILE...\n";
    return kExitUsage;
  }

  // Every file is read and prepared before any case runs: a broken one
  // stops all, with every problem of every file listed.
  std::vector<route_test::TestFile> files;
  files.reserve(paths.size());  // runners keep a reference to their file
  std::vector<std::unique_ptr<route_test::CaseRunner>> runners;
  std::vector<std::string> broken;
  for (const auto& path : paths) {
    std::vector<config::Diagnostic> errors;
    files.push_back(route_test::load_test_file(path, errors));
    for (const auto& e : errors) broken.push_back(e.str());
    auto runner = std::make_unique<route_test::CaseRunner>(files.back());
    // A file that did not read well names no config to prepare.
    if (errors.empty())
      for (auto& e : runner->prepare()) broken.push_back(std::move(e));
    runners.push_back(std::move(runner));
  }
  if (!broken.empty()) {
    for (const auto& e : broken) std::cerr << e << "\n";
    std::cerr << "sluice test: " << broken.size() << (broken.size() == 1 ? " problem" : " problems")
              << " in the test files; no case was run\n";
    return kExitUsage;
  }

  size_t passed = 0, failed = 0;
  for (size_t f = 0; f < files.size(); ++f) {
    std::cout << files[f].path << " (config " << files[f].config_path << ")\n";
    for (const auto& c : files[f].cases) {
      auto outcome = runners[f]->run(c);
      std::cout << (outcome.passed ? "ok   " : "FAIL ") << c.name << "\n";
      for (const auto& line : outcome.diff) std::cout << "     " << line << "\n";
      (outcome.passed ? passed : failed)++;
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? kExitOk : kExitRuntimeError;
}

}  // namespace sluice::cli
