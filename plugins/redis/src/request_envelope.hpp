// The request/reply convention over Redis pub/sub, which carries bytes and
// nothing else: a request is a JSON object published to a request channel,
//   {"id": "42", "reply_to": "<channel>", "payload": <JSON or string>,
//    "headers": {"name": "value"}}
// and its reply is published to `reply_to`:
//   {"id": "42", "payload": <JSON or string>, "headers": {...}}
// A payload that is valid JSON travels as that JSON value, any other
// payload as a JSON string; the receiver gets back the same bytes (a JSON
// value re-serialised compactly).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "entry_mapping.hpp"

namespace sluice::redis {

struct Envelope {
  std::string id;
  std::string reply_to;  // requests only
  std::string payload;
  FieldList headers;
};

// Reading a request (`need_reply_to`) or a reply; nullopt with `error`
// when the text is not such an envelope.
std::optional<Envelope> parse_envelope(std::string_view text, bool need_reply_to,
                                       std::string& error);
// Writing one; an empty reply_to leaves the field out (a reply).
std::string make_envelope(const Envelope& envelope);

}  // namespace sluice::redis
