#include "topic_pattern.hpp"

namespace sluice::kafka {

std::optional<std::string> subscription_for_pattern(std::string_view pattern) {
  if (pattern.empty() || pattern == "*" || pattern == ">" || pattern == "#") return std::nullopt;
  if (pattern.front() == '^') return std::string(pattern);
  if (pattern.find_first_of("*>#") == std::string_view::npos) return std::string(pattern);
  std::string regex = "^";
  for (char c : pattern) {
    switch (c) {
      case '*':
        regex += "[^.]*";
        break;
      case '>':
      case '#':
        regex += ".*";
        break;
      case '.':
        regex += "\\.";
        break;
      default:
        regex += c;  // the rest of Kafka's topic alphabet: [a-zA-Z0-9_-]
    }
  }
  return regex + "$";
}

}  // namespace sluice::kafka
