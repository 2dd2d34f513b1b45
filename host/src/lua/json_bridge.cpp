#include "lua/json_bridge.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <sluice/common/json_text.hpp>
#include <stdexcept>

#include "lua/lua_state.hpp"

namespace sluice::lua {
namespace {

constexpr int kMaxDepth = 64;

struct ConversionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
char null_tag;

void push_json_at(lua_State* L, const boost::json::value& v, int depth) {
  if (depth > kMaxDepth) luaL_error(L, "JSON nested deeper than %d levels", kMaxDepth);
  switch (v.kind()) {
    case boost::json::kind::null:
      lua_pushlightuserdata(L, &null_tag);
      return;
    case boost::json::kind::bool_:
      lua_pushboolean(L, v.get_bool());
      return;
    case boost::json::kind::int64:
      lua_pushinteger(L, static_cast<lua_Integer>(v.get_int64()));
      return;
    case boost::json::kind::uint64:
      if (v.get_uint64() <= static_cast<uint64_t>(LUA_MAXINTEGER))
        lua_pushinteger(L, static_cast<lua_Integer>(v.get_uint64()));
      else
        lua_pushnumber(L, static_cast<lua_Number>(v.get_uint64()));
      return;
    case boost::json::kind::double_:
      lua_pushnumber(L, v.get_double());
      return;
    case boost::json::kind::string: {
      const auto& s = v.get_string();
      lua_pushlstring(L, s.data(), s.size());
      return;
    }
    case boost::json::kind::array: {
      const auto& a = v.get_array();
      luaL_checkstack(L, 3, "JSON too deep");
      lua_createtable(L, static_cast<int>(a.size()), 0);
      lua_Integer i = 1;
      for (const auto& item : a) {
        push_json_at(L, item, depth + 1);
        lua_rawseti(L, -2, i++);
      }
      return;
    }
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      luaL_checkstack(L, 3, "JSON too deep");
      lua_createtable(L, 0, static_cast<int>(o.size()));
      for (const auto& entry : o) {
        lua_pushlstring(L, entry.key().data(), entry.key().size());
        push_json_at(L, entry.value(), depth + 1);
        lua_rawset(L, -3);
      }
      return;
    }
  }
}

// `values_left` bounds the walk by the call's budget: a table that holds
// the same subtable twice at each of 60 levels has 2^60 values to write.
boost::json::value to_json_at(lua_State* L, int index, int depth, int64_t& values_left) {
  index = lua_absindex(L, index);
  if (depth > kMaxDepth) throw ConversionError("table nested deeper than 64 levels (a cycle?)");
  if (--values_left < 0)
    throw ConversionError(
        "instruction budget exceeded (too many values to encode; a table shared many times?)");
  switch (lua_type(L, index)) {
    case LUA_TNIL:
      return nullptr;
    case LUA_TBOOLEAN:
      return lua_toboolean(L, index) != 0;
    case LUA_TNUMBER:
      if (lua_isinteger(L, index)) return static_cast<int64_t>(lua_tointeger(L, index));
      {
        double d = lua_tonumber(L, index);
        if (!std::isfinite(d)) throw ConversionError("cannot encode inf or nan as JSON");
        // JSON has one number type: 130.0 is written 130, not 1.3E2.
        if (d == std::floor(d) && std::fabs(d) < 9.0e15) return static_cast<int64_t>(d);
        return d;
      }
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, index, &len);
      return boost::json::string(s, len);
    }
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, index) == &null_tag) return nullptr;
      break;
    case LUA_TTABLE: {
      if (!lua_checkstack(L, 4)) throw ConversionError("table too deep");
      lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, index));
      // An array when every key is an integer in 1..n.
      bool is_array = n > 0;
      if (is_array) {
        lua_Integer count = 0;
        lua_pushnil(L);
        while (lua_next(L, index)) {
          lua_pop(L, 1);
          ++count;
          if (!lua_isinteger(L, -1)) is_array = false;
        }
        is_array = is_array && count == n;
      }
      if (is_array) {
        boost::json::array a;
        a.reserve(static_cast<size_t>(n));
        for (lua_Integer i = 1; i <= n; ++i) {
          lua_rawgeti(L, index, i);
          a.push_back(to_json_at(L, -1, depth + 1, values_left));
          lua_pop(L, 1);
        }
        return a;
      }
      boost::json::object o;
      lua_pushnil(L);
      while (lua_next(L, index)) {
        std::string key;
        if (lua_type(L, -2) == LUA_TSTRING) {
          size_t len = 0;
          const char* k = lua_tolstring(L, -2, &len);
          key.assign(k, len);
        } else if (lua_isinteger(L, -2)) {
          key = std::to_string(lua_tointeger(L, -2));
        } else {
          throw ConversionError(std::string("cannot encode a table with ") + luaL_typename(L, -2) +
                                " keys as JSON");
        }
        o[key] = to_json_at(L, -1, depth + 1, values_left);
        lua_pop(L, 1);
      }
      return o;
    }
    default:
      break;
  }
  throw ConversionError(std::string("cannot encode a ") + luaL_typename(L, index) + " as JSON");
}

int json_encode(lua_State* L) {
  luaL_checkany(L, 1);
  bool ok = false;
  {
    std::string text, error;
    ok = encode_json(L, 1, text, error);
    if (ok)
      lua_pushlstring(L, text.data(), text.size());
    else
      lua_pushstring(L, error.c_str());
  }
  // Raised only once every C++ object above is destroyed (Lua errors
  // longjmp past destructors).
  if (!ok) return lua_error(L);
  return 1;
}
int json_decode(lua_State* L) {
  size_t len = 0;
  const char* text = luaL_checklstring(L, 1, &len);
  boost::system::error_code ec;
  auto v = boost::json::parse(std::string_view(text, len), ec);
  if (ec) {
    lua_pushnil(L);
    lua_pushstring(L, ("invalid JSON: " + ec.message()).c_str());
    return 2;
  }
  push_json(L, v);
  return 1;
}

}  // namespace

void* json_null_sentinel() { return &null_tag; }

void push_json(lua_State* L, const boost::json::value& value) { push_json_at(L, value, 0); }

bool to_json(lua_State* L, int index, boost::json::value& out, std::string& error) {
  LuaState& state = LuaState::of(L);
  int64_t allowed = state.steps_left();
  int64_t values_left = allowed;
  bool ok = true;
  try {
    out = to_json_at(L, index, 0, values_left);
  } catch (const ConversionError& e) {
    error = e.what();
    ok = false;
  }
  // Charged without raising here; the call stops at its next instruction.
  state.charge_later(L, allowed - std::max<int64_t>(values_left, 0));
  return ok;
}

bool encode_json(lua_State* L, int index, std::string& out, std::string& error) {
  if (lua_type(L, index) == LUA_TSTRING) {
    size_t len = 0;
    const char* s = lua_tolstring(L, index, &len);
    out = boost::json::serialize(boost::json::string_view(s, len));
    return true;
  }
  boost::json::value v;
  if (!to_json(L, index, v, error)) return false;
  out = common::to_json_text(v);  // 119.97, not 1.1997E2
  return true;
}

void push_json_module(lua_State* L) {
  lua_createtable(L, 0, 3);
  lua_pushcfunction(L, json_encode);
  lua_setfield(L, -2, "encode");
  lua_pushcfunction(L, json_decode);
  lua_setfield(L, -2, "decode");
  lua_pushlightuserdata(L, &null_tag);
  lua_setfield(L, -2, "null");
}

}  // namespace sluice::lua
