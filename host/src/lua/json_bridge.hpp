// JSON <-> Lua values (Boost.JSON documents and Lua tables), and the
// `sluice.json` module (encode, decode, null).
#pragma once

#include <boost/json/value.hpp>
#include <lua.hpp>
#include <string>

namespace sluice::lua {

// Pushes a JSON value: objects and arrays become tables, null becomes
// sluice.json.null (a light userdata), numbers integers or floats.
void push_json(lua_State* L, const boost::json::value& value);

// Converts the Lua value at `index`. A table whose keys are exactly
// 1..n is an array; an empty table is an object. False with `error` for
// values JSON cannot hold (functions, cycles, non-string keys); never raises
// a Lua error, so the caller can free its C++ objects before raising one.
bool to_json(lua_State* L, int index, boost::json::value& out, std::string& error);
// The same, serialised to JSON text.
bool encode_json(lua_State* L, int index, std::string& out, std::string& error);

// Leaves the `json` module table on the stack.
void push_json_module(lua_State* L);

// The sentinel sluice.json.null stands for.
void* json_null_sentinel();

}  // namespace sluice::lua
