// What a rule or template can read about one message: the envelope itself
// plus the facts the runtime knows around it (which connector it came from,
// this node's id). Built on the stack per message; borrows everything.
#pragma once

#include <string_view>

#include "message/envelope.hpp"
#include "routing/payload_scan.hpp"

namespace sluice::routing {

struct MessageContext {
  const message::Envelope& message;
  std::string_view source;   // name of the connector the message came from
  std::string_view node_id;  // config `node_id`
  // Not set: payload fields come from Envelope::json() (parsed once, kept).
  // Set: they are scanned from the payload text (about a third of a parse
  // for the first field; see PayloadScan).
  PayloadScan* scan = nullptr;
};

}  // namespace sluice::routing
