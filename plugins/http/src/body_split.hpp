// How a webhook request's body becomes messages: the body as one message, or
// each element of a JSON array, or each line of JSON lines (NDJSON). Bad JSON
// is the caller's mistake (HTTP 400), said in words it can act on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::http_plugin {

enum class Split { kNone, kJsonArray, kJsonLines };

struct SplitResult {
  std::vector<std::string> payloads;
  std::string error;  // non-empty: the body is refused (400)
};

// `validate_json`: with Split::kNone, the body must be one JSON value.
SplitResult split_body(std::string_view body, Split split, bool validate_json);

}  // namespace sluice::http_plugin
