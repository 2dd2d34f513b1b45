// Builds the YAML of a file -> file pipeline for the file plugin's tests.
#pragma once

#include <string>

#include "support/sluice_test.hpp"

namespace sluice::test::file {

// One worker keeps the order of lines, so the output can be compared with
// the input line by line. `source_extra` and `sink_extra` are more flow
// mapping entries (", follow: true").
inline std::string pipeline_yaml(const TempDir& dir, const std::string& in, const std::string& out,
                                 const std::string& source_extra = "",
                                 const std::string& sink_extra = "") {
  return "workers: 1\n"
         "admin: { enabled: false }\n"
         "state_dir: " +
         dir.file("state") +
         "\n"
         "connectors:\n"
         "  in: { plugin: file, mode: source, path: \"" +
         in + "\"" + source_extra +
         " }\n"
         "  out: { plugin: file, mode: sink, path: \"" +
         out + "\"" + sink_extra +
         " }\n"
         "routes:\n"
         "  - from: in\n"
         "    to: out\n";
}

// "line-000001 <padding>" ... : distinct, sortable lines of about `width` bytes.
inline std::string numbered_lines(size_t first, size_t count, size_t width = 40) {
  std::string out;
  char head[32];
  for (size_t i = first; i < first + count; ++i) {
    int n = std::snprintf(head, sizeof head, "line-%07zu ", i);
    out.append(head, static_cast<size_t>(n));
    if (width > static_cast<size_t>(n)) out.append(width - static_cast<size_t>(n), 'x');
    out.push_back('\n');
  }
  return out;
}

inline std::string line_text(size_t i, size_t width = 40) {
  std::string s = numbered_lines(i, 1, width);
  s.pop_back();
  return s;
}

}  // namespace sluice::test::file
