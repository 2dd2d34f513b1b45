#include "lua/message_api.hpp"

#include <boost/json.hpp>
#include <cstring>
#include <new>
#include <optional>
#include <sluice/common/json_path.hpp>
#include <string_view>

#include "lua/json_bridge.hpp"
#include "routing/json_edit.hpp"
#include "routing/string_hash.hpp"

namespace sluice::lua {
namespace {

constexpr const char* kMessageType = "sluice.message";
// The message metatable is also kept in the registry under this address:
// finding it by pointer skips the by-name lookup luaL_testudata and
// luaL_setmetatable make (Lua's C-string cache, with a strcmp) on every
// msg:get and every message pushed.
const char kMetatableKey = 0;

void push_metatable(lua_State* L) { lua_rawgetp(L, LUA_REGISTRYINDEX, &kMetatableKey); }

// luaL_testudata for the message type, without the name lookup.
MessageBox* test_box(lua_State* L, int index) {
  void* p = lua_touserdata(L, index);
  if (!p || !lua_getmetatable(L, index)) return nullptr;
  push_metatable(L);
  bool same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same ? static_cast<MessageBox*>(p) : nullptr;
}

// luaL_checkudata for the message type: the same error for anything else.
MessageBox* check_type(lua_State* L, int index) {
  MessageBox* box = test_box(L, index);
  if (!box) luaL_typeerror(L, index, kMessageType);
  return box;
}

// The paths one Lua state's msg:get and msg:set calls name, compiled once
// each. Never evicted (a message's PayloadScan keeps pointers to them);
// past kMaxPaths distinct paths, new ones are compiled per call.
class PathCache {
 public:
  static constexpr size_t kMaxPaths = 256;

  // The compiled `text`, or nullptr when it is not a JsonPath ("a..b").
  // A path past the bound is valid until the next call.
  const common::JsonPath* get(std::string_view text) {
    auto it = paths_.find(text);
    if (it != paths_.end()) return it->second ? &*it->second : nullptr;
    std::string error;
    auto compiled = common::JsonPath::compile(text, error);
    if (paths_.size() >= kMaxPaths) {
      overflow_ = std::move(compiled);
      return overflow_ ? &*overflow_ : nullptr;
    }
    auto& slot = paths_.emplace(std::string(text), std::move(compiled)).first->second;
    return slot ? &*slot : nullptr;
  }
  bool kept(const common::JsonPath* path) const { return !overflow_ || path != &*overflow_; }

  // An object, array or number msg:get read as text, parsed here rather
  // than on the C stack (a Lua error while pushing it would skip a local's
  // destructor).
  boost::json::value value;

 private:
  routing::StringMap<std::optional<common::JsonPath>> paths_;
  std::optional<common::JsonPath> overflow_;
};

int path_cache_gc(lua_State* L) {
  static_cast<PathCache*>(lua_touserdata(L, 1))->~PathCache();
  return 0;
}

PathCache& path_cache(lua_State* L) {
  return *static_cast<PathCache*>(lua_touserdata(L, lua_upvalueindex(1)));
}

MessageBox& check_box(lua_State* L, int index) {
  MessageBox* box = check_type(L, index);
  if (!box->envelope)
    luaL_error(L, "this message's handler has returned: copy the fields you need instead");
  return *box;
}

const message::Envelope& check_envelope(lua_State* L, int index) {
  return *check_box(L, index).envelope;
}

// Raises the error at the stack top prefixed with the calling line. Only
// call once no C++ object with a destructor is alive in the caller.
int raise_with_location(lua_State* L) {
  luaL_where(L, 1);
  lua_insert(L, -2);
  lua_concat(L, 2);
  return lua_error(L);
}

void push_string(lua_State* L, const std::string& s) { lua_pushlstring(L, s.data(), s.size()); }

// Integers that fit int64 whatever their digits, as boost::json reads them
// (an int64; "-0" too is the integer 0).
bool is_small_integer(std::string_view raw) {
  if (raw.empty()) return false;
  std::string_view digits = raw.front() == '-' ? raw.substr(1) : raw;
  if (digits.empty() || digits.size() > 18) return false;
  for (char c : digits)
    if (c < '0' || c > '9') return false;
  return true;
}

// Pushes a value scanned from the payload exactly as push_json pushes the
// same value from the parsed document; nil for null and missing.
void push_field(lua_State* L, const routing::FieldValue& v, PathCache& cache) {
  using Kind = routing::FieldValue::Kind;
  switch (v.kind) {
    case Kind::kMissing:
    case Kind::kNotJson:
    case Kind::kNull:
      lua_pushnil(L);
      return;
    case Kind::kBool:
      lua_pushboolean(L, v.boolean);
      return;
    case Kind::kString:
      lua_pushlstring(L, v.string.data(), v.string.size());
      return;
    case Kind::kNumber:
      if (is_small_integer(v.raw) && v.number.is_integer) {
        lua_pushinteger(L, static_cast<lua_Integer>(v.number.integer));
        return;
      }
      [[fallthrough]];
    case Kind::kObject:
    case Kind::kArray: {
      // Rare enough to parse the value's own text: the DOM's rules for
      // floats, huge integers and nested values, by construction.
      boost::system::error_code ec;
      cache.value = boost::json::parse(v.raw, ec);
      if (ec) cache.value = nullptr;  // cannot happen: the payload was validated
      push_json(L, cache.value);
      return;
    }
  }
  lua_pushnil(L);
}

int message_get(lua_State* L) {
  MessageBox& box = check_box(L, 1);
  size_t len = 0;
  const char* text = luaL_checklstring(L, 2, &len);
  PathCache& cache = path_cache(L);
  const message::Envelope& m = *box.envelope;
  const common::JsonPath* path = cache.get(std::string_view(text, len));
  if (!path || m.json_parsed()) {
    // Parsed already (msg:json, msg:set), or a path only the lenient
    // lookup understands: the document answers.
    const boost::json::value* doc = m.json();
    const boost::json::value* v = nullptr;
    if (doc) v = path ? path->find(*doc) : message::find_path(*doc, std::string_view(text, len));
    if (!v || v->is_null())
      lua_pushnil(L);
    else
      push_json(L, *v);
    return 1;
  }
  // A path the scan must not remember (it would dangle): validate first,
  // so that reading it notes nothing.
  if (!cache.kept(path) && box.scan.state() == routing::PayloadScan::State::kUnchecked)
    box.scan.prefetch(m.payload, {});
  routing::FieldValue v = box.scan.read(m.payload, *path);
  push_field(L, v, cache);
  return 1;
}

// Sets (or with nil removes) one field of the box's message; "" or what is
// wrong. Copies a shared envelope first.
std::string set_field(lua_State* L, MessageBox& box, PathCache& cache, std::string_view text) {
  const common::JsonPath* path = cache.get(text);
  if (!path) {
    std::string why;
    common::JsonPath::compile(text, why);
    return why;
  }
  const bool remove = lua_isnil(L, 3);
  if (remove && path->steps().empty()) return "cannot remove the whole payload";
  boost::json::value value;
  if (!remove) {
    std::string error;
    if (!to_json(L, 3, value, error)) return error;
  }
  message::EnvelopePtr target = box.shared ? message::copy_content(*box.envelope) : box.envelope;
  if (!target->json()) return target->json_error();
  std::string error;
  target->edit_json([&](boost::json::value& doc) {
    if (remove)
      routing::remove_at(doc, *path);
    else
      error = routing::set_at(doc, *path, std::move(value));
  });
  if (!error.empty()) return error;  // set_at changes nothing when it fails
  box.envelope = std::move(target);
  box.shared = false;
  box.scan = routing::PayloadScan();
  return "";
}

int message_set(lua_State* L) {
  MessageBox& box = check_box(L, 1);
  size_t len = 0;
  const char* text = luaL_checklstring(L, 2, &len);
  luaL_checkany(L, 3);
  bool ok = false;
  {
    std::string error = set_field(L, box, path_cache(L), std::string_view(text, len));
    ok = error.empty();
    if (!ok) push_string(L, "msg:set(\"" + std::string(text, len) + "\"): " + error);
  }
  if (!ok) return raise_with_location(L);
  lua_settop(L, 1);
  return 1;  // the message, so that calls chain
}

int message_with_payload(lua_State* L) {
  MessageBox& box = check_box(L, 1);
  const int type = lua_type(L, 2);
  if (type != LUA_TSTRING && type != LUA_TTABLE)
    return luaL_typeerror(L, 2, "a string or a table (encoded as JSON)");
  bool ok = true;
  {
    message::EnvelopePtr fresh = message::copy_content(*box.envelope);
    fresh->invalidate_json();
    std::string error;
    if (type == LUA_TSTRING) {
      size_t len = 0;
      const char* s = lua_tolstring(L, 2, &len);
      fresh->payload.assign(s, len);
    } else {
      ok = encode_json(L, 2, fresh->payload, error);
    }
    if (ok)
      push_message(L, std::move(fresh), false);  // no one else holds it
    else
      push_string(L, "msg:with_payload: " + error);
  }
  if (!ok) return raise_with_location(L);
  return 1;
}

int message_json(lua_State* L) {
  const auto& m = check_envelope(L, 1);
  const boost::json::value* doc = m.json();
  if (!doc) {
    lua_pushnil(L);
    push_string(L, m.json_error());
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

// Upvalues: the PathCache, msg:get and msg:set (closures over the cache).
int message_index(lua_State* L) {
  const auto& m = check_envelope(L, 1);
  size_t len = 0;
  const char* k = luaL_checklstring(L, 2, &len);
  std::string_view key(k, len);
  if (key == "get") {
    lua_pushvalue(L, lua_upvalueindex(2));
  } else if (key == "payload") {
    push_string(L, m.payload);
  } else if (key == "subject") {
    push_string(L, m.subject);
  } else if (key == "key") {
    if (m.key)
      push_string(L, *m.key);
    else
      lua_pushnil(L);
  } else if (key == "source") {
    if (!m.origin.empty())
      push_string(L, m.origin);
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
  } else if (key == "set") {
    lua_pushvalue(L, lua_upvalueindex(3));
  } else if (key == "with_payload") {
    lua_pushcfunction(L, message_with_payload);
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
  return luaL_error(L,
                    "a message's fields cannot be assigned; use msg:set(path, value) for the "
                    "payload, msg:with_payload(...) for a new one, or the options of "
                    "sluice.publish for key, subject and headers");
}

int message_gc(lua_State* L) {
  MessageBox* box = check_type(L, 1);
  box->~MessageBox();
  return 0;
}

int message_tostring(lua_State* L) {
  MessageBox* box = check_type(L, 1);
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
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kMetatableKey);
  static const luaL_Reg kMethods[] = {{"__newindex", message_newindex},
                                      {"__gc", message_gc},
                                      {"__tostring", message_tostring},
                                      {nullptr, nullptr}};
  luaL_setfuncs(L, kMethods, 0);
  // __index with its upvalues: the state's path cache, msg:get, msg:set.
  new (lua_newuserdatauv(L, sizeof(PathCache), 0)) PathCache();
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, path_cache_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, message_get, 1);
  lua_pushvalue(L, -2);
  lua_pushcclosure(L, message_set, 1);
  lua_pushcclosure(L, message_index, 3);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "message");
  lua_setfield(L, -2, "__name");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");  // getmetatable(msg) reveals nothing to change
  lua_pop(L, 1);
}

MessageBox* push_message(lua_State* L, message::EnvelopePtr envelope, bool shared) {
  void* memory = lua_newuserdatauv(L, sizeof(MessageBox), 0);
  auto* box = new (memory) MessageBox{std::move(envelope), shared, {}};
  push_metatable(L);
  lua_setmetatable(L, -2);
  return box;
}

MessageBox* test_message_box(lua_State* L, int index) { return test_box(L, index); }

MessageBox* to_message_box(lua_State* L, int index) {
  MessageBox* box = test_box(L, index);
  if (!box) return nullptr;
  if (!box->envelope) luaL_error(L, "this message's handler has returned");
  return box;
}

const message::EnvelopePtr* to_message(lua_State* L, int index) {
  MessageBox* box = to_message_box(L, index);
  return box ? &box->envelope : nullptr;
}

}  // namespace sluice::lua
