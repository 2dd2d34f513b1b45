// The library functions whose loops run no VM instruction, replaced by
// versions that charge them to the running call's budget (table.insert,
// table.remove, table.move; string.rep, which looped even to repeat ""),
// and the ways a script could run code outside the budget, closed: no new
// coroutines once a call is stopped, no __gc finalizers (Lua runs them
// with hooks off).
#pragma once

#include <lua.hpp>

namespace sluice::lua {

// Replaces the functions in the state's string, table, coroutine and base
// libraries (call once, before the script runs).
void install_bounded_library(lua_State* L);

}  // namespace sluice::lua
