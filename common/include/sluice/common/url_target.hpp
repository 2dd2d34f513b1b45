// The parts of an HTTP request target a server looks at: the path and the
// percent-decoded query parameters (websocket and http plugins).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::common {

struct UrlTarget {
  std::string path;
  std::vector<std::pair<std::string, std::string>> params;

  // The first value of parameter `name`.
  std::optional<std::string> param(std::string_view name) const {
    for (const auto& [k, v] : params)
      if (k == name) return v;
    return std::nullopt;
  }
};

// Splits "/p/a/t/h?x=1&y=a%2Cb" into its path and decoded parameters.
// A malformed escape is kept as is.
UrlTarget parse_target(std::string_view target);

// "a, b,,c" -> {"a", "b", "c"}.
std::vector<std::string> split_list(std::string_view text);

}  // namespace sluice::common
