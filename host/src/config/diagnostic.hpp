// Where in a config file something is, and a problem found there: the unit
// every config error is reported in ("file:line:col: message").
#pragma once

#include <string>
#include <vector>

namespace sluice::config {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 = the file as a whole
  int column = 0;  // 1-based; 0 = the line as a whole
  // "file:line:col", or "file" / "file:line" when column or line are unknown.
  std::string str() const;
};

struct Diagnostic {
  SourceLocation where;
  std::string message;
  std::string str() const;  // "file:line:col: message"
};

// Orders diagnostics by position in the file and drops exact repeats (an
// aliased YAML node reports its problems once per use otherwise).
void sort_and_dedupe(std::vector<Diagnostic>& diagnostics);

}  // namespace sluice::config
