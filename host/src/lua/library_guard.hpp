// Keeps one handler call from changing what later calls see: the library
// tables (string, table, math, utf8, coroutine, os, sluice, sluice.json)
// become read-only proxies once the script's top level has run, and the
// string metatable, shared by every string of the state, is hidden.
// Globals stay the script's own: a counter kept in a global still works.
#pragma once

#include <lua.hpp>

namespace sluice::lua {

// Replaces each library global with its proxy (call once every library
// and the sluice module are installed, before the script runs). Writes
// through a proxy reach the library while LuaState::libraries_frozen() is
// false (the top level: `function string.trim(s) ... end` keeps working)
// and raise an error afterwards.
void protect_libraries(lua_State* L);

}  // namespace sluice::lua
