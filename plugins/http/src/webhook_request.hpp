// What a webhook server makes of one HTTP request before anything is
// emitted: either an answer right away (404, 405, 401, 415, 400) or the
// messages to emit. No I/O here, so every refusal is unit-tested.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "beast_types.hpp"
#include "http_settings.hpp"

namespace sluice::http_plugin {

// One message to emit, owning its data.
struct IngestMessage {
  std::string payload;
  std::string subject;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct PreparedRequest {
  unsigned status = 0;  // non-zero: answer this at once, with `error`
  std::string error;
  std::vector<IngestMessage> messages;
  std::vector<std::pair<std::string, std::string>> attributes;  // method, path, remote
};

PreparedRequest prepare_request(const ServerOptions& options, const Request& request,
                                const std::string& remote);

// A JSON error body: {"error": "..."}.
std::string error_body(std::string_view text);

}  // namespace sluice::http_plugin
