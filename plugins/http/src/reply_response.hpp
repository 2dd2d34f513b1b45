// What a handler's reply to a webhook request (`reply: true`) becomes: the
// HTTP response. The reply's header `http-status` sets the status,
// `content-type` the type; its other headers go out as they are.
#pragma once

#include <sluice/plugin.hpp>
#include <string>
#include <utility>
#include <vector>

#include "beast_types.hpp"

namespace sluice::http_plugin {

// The reply header that sets the response's status code.
inline constexpr std::string_view kStatusHeader = "http-status";

// The answer a request handler gave, owning its data (it is taken on a host
// thread and sent from the connection's).
struct ReplyData {
  std::string body;
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // without http-status
};

// The reply as the response it asks for. An `http-status` that is not a
// code from 100 to 599 makes a 500 whose body says so, and sets `problem`
// (for the log): the handler is wrong, and answering 200 would hide it.
ReplyData read_reply(const MessageView& reply, std::string& problem);

Response reply_response(ReplyData reply, unsigned version);

}  // namespace sluice::http_plugin
