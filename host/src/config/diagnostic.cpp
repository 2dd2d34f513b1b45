#include "config/diagnostic.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace sluice::config {

std::string SourceLocation::str() const {
  std::string out = file;
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) out += ':' + std::to_string(column);
  }
  return out;
}

std::string Diagnostic::str() const { return where.str() + ": " + message; }

void sort_and_dedupe(std::vector<Diagnostic>& diagnostics) {
  auto position = [](const Diagnostic& d) {
    return std::tie(d.where.file, d.where.line, d.where.column);
  };
  std::stable_sort(
      diagnostics.begin(), diagnostics.end(),
      [&](const Diagnostic& a, const Diagnostic& b) { return position(a) < position(b); });
  std::set<std::string> seen;
  std::vector<Diagnostic> unique;
  for (auto& d : diagnostics) {
    if (seen.insert(d.str()).second) unique.push_back(std::move(d));
  }
  diagnostics = std::move(unique);
}

}  // namespace sluice::config
