// Helpers for the config loader tests: YAML from numbered lines (so that the
// expected line:column in an assertion is easy to check by eye) and a
// hermetic environment instead of the process's.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace sluice::config::testing {

// The lines joined with '\n': line N of the document is the N-th string.
inline std::string yaml_lines(std::initializer_list<std::string_view> lines) {
  std::string out;
  for (auto line : lines) {
    out += line;
    out += '\n';
  }
  return out;
}

struct Loaded {
  Config config;
  std::vector<Diagnostic> diagnostics;
  // Each diagnostic as "file:line:col: message", in the loader's order.
  std::vector<std::string> errors() const {
    std::vector<std::string> out;
    for (const auto& d : diagnostics) out.push_back(d.str());
    return out;
  }
};

// Loads `text` as if read from `file`, with `env` as the whole environment.
inline Loaded load_yaml(std::string_view text, const std::map<std::string, std::string>& env = {},
                        const std::string& file = "cfg.yaml") {
  Loaded out;
  auto lookup = [&env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  out.config = load_config_text(text, file, out.diagnostics, lookup);
  return out;
}

}  // namespace sluice::config::testing
