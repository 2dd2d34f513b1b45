// The message a handler receives: a userdata over the host's Envelope (no
// copy per message). Fields are read on access (msg.payload, msg.key,
// msg.subject, msg.source, msg.headers, msg.timestamp, msg.reply_to), and
// msg:get(path) / msg:json() parse the payload at most once.
#pragma once

#include <lua.hpp>

#include "runtime/envelope.hpp"

namespace sluice::lua {

// Registers the metatable; call once per state.
void register_message_type(lua_State* L);

// Pushes a message userdata. Returns its box so the caller can expire it
// when the handler returns (a message kept past its call is then refused
// instead of pinning the envelope).
struct MessageBox {
  runtime::EnvelopePtr envelope;
};
MessageBox* push_message(lua_State* L, runtime::EnvelopePtr envelope);

// The envelope of the message userdata at `index`, or nullptr when the
// value is not a message. Raises a Lua error for an expired message.
const runtime::EnvelopePtr* to_message(lua_State* L, int index);

}  // namespace sluice::lua
