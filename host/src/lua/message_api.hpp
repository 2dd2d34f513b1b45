// The message a handler receives: a userdata over the host's Envelope (no
// copy per message). Fields are read on access (msg.payload, msg.key,
// msg.subject, msg.source, msg.headers, msg.timestamp, msg.reply_to);
// msg:get(path) scans the payload text the way native rules do (no
// document is built), and msg:json() parses it at most once.
// msg:set(path, value) changes the message as this handler sees it (on a
// copy: the envelope is shared with other routes), msg:with_payload(p)
// makes a new message.
#pragma once

#include <lua.hpp>

#include "message/envelope.hpp"
#include "routing/payload_scan.hpp"

namespace sluice::lua {

// Registers the metatable; call once per state.
void register_message_type(lua_State* L);

// Pushes a message userdata. Returns its box so the caller can expire it
// when the handler returns (a message kept past its call is then refused
// instead of pinning the envelope).
struct MessageBox {
  message::EnvelopePtr envelope;
  // The envelope may be held elsewhere too (other routes, an output
  // publishing it): msg:set changes a copy, never the shared one.
  bool shared = true;
  // msg:get's reads of the payload text, validated once per message.
  routing::PayloadScan scan;
};
MessageBox* push_message(lua_State* L, message::EnvelopePtr envelope, bool shared = true);

// The box of the message userdata at `index`, or nullptr when the value is
// not a message. Raises a Lua error for an expired message.
MessageBox* to_message_box(lua_State* L, int index);
// The same without the check for an expired message (never raises).
MessageBox* test_message_box(lua_State* L, int index);

// The envelope of the message userdata at `index`, or nullptr when the
// value is not a message. Raises a Lua error for an expired message.
const message::EnvelopePtr* to_message(lua_State* L, int index);

}  // namespace sluice::lua
