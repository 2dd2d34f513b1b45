#include "lua/message_api.hpp"

#include <cstring>
#include <new>
#include <string_view>

#include "lua/json_bridge.hpp"
#include "runtime/connector.hpp"

namespace sluice::lua {
namespace {

constexpr const char* kMessageType = "sluice.message";

const runtime::Envelope& check_envelope(lua_State* L, int index) {
  auto* box = static_cast<MessageBox*>(luaL_checkudata(L, index, kMessageType));
  if (!box->envelope)
    luaL_error(L, "this message's handler has returned: copy the fields you need instead");
  return *box->envelope;
}

void push_string(lua_State* L, const std::string& s) { lua_pushlstring(L, s.data(), s.size()); }

int message_get(lua_State* L) {
  const auto& m = check_envelope(L, 1);
  size_t len = 0;
  const char* path = luaL_checklstring(L, 2, &len);
  const boost::json::value* doc = m.json();
  if (!doc) {
    lua_pushnil(L);
    return 1;
  }
  const boost::json::value* v = runtime::find_path(*doc, std::string_view(path, len));
  if (!v || v->is_null())
    lua_pushnil(L);
  else
    push_json(L, *v);
  return 1;
}

int message_json(lua_State* L) {
  const auto& m = check_envelope(L, 1);
  const boost::json::value* doc = m.json();
  if (!doc) {
    lua_pushnil(L);
    push_string(L, "payload is not JSON: " + m.json_error());
    return 2;
  }
  push_json(L, *doc);
  return 1;
}

int message_header(lua_State* L) {
  const auto& m = check_envelope(L, 1);
  const std::string* v = m.header(luaL_checkstring(L, 2));
  if (v)
    push_string(L, *v);
  else
    lua_pushnil(L);
  return 1;
}

int message_index(lua_State* L) {
  const auto& m = check_envelope(L, 1);
  size_t len = 0;
  const char* k = luaL_checklstring(L, 2, &len);
  std::string_view key(k, len);
  if (key == "payload") {
    push_string(L, m.payload);
  } else if (key == "subject") {
    push_string(L, m.subject);
  } else if (key == "key") {
    if (m.key)
      push_string(L, *m.key);
    else
      lua_pushnil(L);
  } else if (key == "source") {
    if (m.source)
      push_string(L, m.source->name());
    else
      lua_pushnil(L);
  } else if (key == "timestamp") {
    lua_pushinteger(L, static_cast<lua_Integer>(m.timestamp_ms));
  } else if (key == "reply_to") {
    if (m.reply_to.empty())
      lua_pushnil(L);
    else
      push_string(L, m.reply_to);
  } else if (key == "headers") {
    lua_createtable(L, 0, static_cast<int>(m.headers.size()));
    for (const auto& h : m.headers) {
      push_string(L, h.value);
      lua_setfield(L, -2, h.name.c_str());
    }
  } else if (key == "get") {
    lua_pushcfunction(L, message_get);
  } else if (key == "json") {
    lua_pushcfunction(L, message_json);
  } else if (key == "header") {
    lua_pushcfunction(L, message_header);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

int message_newindex(lua_State* L) {
  return luaL_error(L, "a message is read-only; publish a new payload with sluice.publish");
}

int message_gc(lua_State* L) {
  auto* box = static_cast<MessageBox*>(luaL_checkudata(L, 1, kMessageType));
  box->~MessageBox();
  return 0;
}

int message_tostring(lua_State* L) {
  auto* box = static_cast<MessageBox*>(luaL_checkudata(L, 1, kMessageType));
  if (!box->envelope) {
    lua_pushliteral(L, "message (expired)");
    return 1;
  }
  lua_pushfstring(L, "message (subject %s, %d bytes)", box->envelope->subject.c_str(),
                  static_cast<int>(box->envelope->payload.size()));
  return 1;
}

}  // namespace

void register_message_type(lua_State* L) {
  luaL_newmetatable(L, kMessageType);
  static const luaL_Reg kMethods[] = {{"__index", message_index},
                                      {"__newindex", message_newindex},
                                      {"__gc", message_gc},
                                      {"__tostring", message_tostring},
                                      {nullptr, nullptr}};
  luaL_setfuncs(L, kMethods, 0);
  lua_pushliteral(L, "message");
  lua_setfield(L, -2, "__name");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");  // getmetatable(msg) reveals nothing to change
  lua_pop(L, 1);
}

MessageBox* push_message(lua_State* L, runtime::EnvelopePtr envelope) {
  void* memory = lua_newuserdatauv(L, sizeof(MessageBox), 0);
  auto* box = new (memory) MessageBox{std::move(envelope)};
  luaL_setmetatable(L, kMessageType);
  return box;
}

const runtime::EnvelopePtr* to_message(lua_State* L, int index) {
  auto* box = static_cast<MessageBox*>(luaL_testudata(L, index, kMessageType));
  if (!box) return nullptr;
  if (!box->envelope) luaL_error(L, "this message's handler has returned");
  return &box->envelope;
}

}  // namespace sluice::lua
