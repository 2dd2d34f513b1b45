// What one polled response yields: the body as one payload, or each element
// of the JSON array at a path in it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::http_plugin {

struct PolledDocument {
  std::vector<std::string> payloads;
  std::string error;  // non-empty: nothing to emit, and why
};

PolledDocument read_document(std::string_view body, const std::string& array_path);

}  // namespace sluice::http_plugin
