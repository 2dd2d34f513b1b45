// string.find, string.match, string.gmatch and string.gsub with Lua 5.4's
// pattern semantics, but charging every matcher step to the running call's
// budget: the stock matcher is C code that runs no VM instruction, so a
// backtracking pattern ("^.-.-.-b" on a long subject) would run for
// minutes out of the count hook's reach.
#pragma once

#include <lua.hpp>

namespace sluice::lua {

// Replaces the four functions in the state's string table (call once,
// before the script runs; the string metatable's __index is that table, so
// s:find(...) uses them too).
void install_bounded_patterns(lua_State* L);

}  // namespace sluice::lua
