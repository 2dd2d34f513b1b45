#include "lua/library_guard.hpp"

#include "lua/lua_state.hpp"

namespace sluice::lua {
namespace {

// Registry key of the table proxy -> library table (for rawget/rawset).
char proxies_key;

void push_proxies(lua_State* L) { lua_rawgetp(L, LUA_REGISTRYINDEX, &proxies_key); }

// __newindex of a proxy: upvalues are the library table and its name.
int proxy_newindex(lua_State* L) {
  if (LuaState::of(L).libraries_frozen())
    return luaL_error(L,
                      "the library table '%s' is read-only in handlers (it is shared by every "
                      "call; change it at the script's top level or keep your own table)",
                      lua_tostring(L, lua_upvalueindex(2)));
  lua_settop(L, 3);
  lua_rawset(L, lua_upvalueindex(1));
  return 0;
}

// __pairs of a proxy: iterate the library table. Upvalues: the table, next.
int proxy_pairs(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushnil(L);
  return 3;
}

// Pushes the library table behind the proxy at `index`, or nothing.
bool push_library_of(lua_State* L, int index) {
  push_proxies(L);
  lua_pushvalue(L, index);
  if (lua_rawget(L, -2) != LUA_TNIL) {
    lua_remove(L, -2);
    return true;
  }
  lua_pop(L, 2);
  return false;
}

// rawget/rawset see through proxies (a raw write to a proxy would shadow
// the library for every later call).
int raw_get(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  if (push_library_of(L, 1)) lua_replace(L, 1);
  lua_rawget(L, 1);
  return 1;
}

int raw_set(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  lua_settop(L, 3);
  if (push_library_of(L, 1)) {
    if (LuaState::of(L).libraries_frozen())
      return luaL_error(L, "library tables are read-only in handlers");
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    return 1;  // the proxy, as rawset returns its table
  }
  lua_rawset(L, 1);
  return 1;
}

// Replaces the table at the top of the stack with its proxy.
void make_proxy(lua_State* L, const char* name) {
  int library = lua_gettop(L);
  lua_newtable(L);  // the proxy
  lua_createtable(L, 0, 4);
  lua_pushvalue(L, library);
  lua_setfield(L, -2, "__index");
  lua_pushvalue(L, library);
  lua_pushstring(L, name);
  lua_pushcclosure(L, proxy_newindex, 2);
  lua_setfield(L, -2, "__newindex");
  lua_pushvalue(L, library);
  lua_getglobal(L, "next");
  lua_pushcclosure(L, proxy_pairs, 2);
  lua_setfield(L, -2, "__pairs");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  push_proxies(L);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, library);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_replace(L, library);
}

void proxy_global(lua_State* L, const char* name) {
  if (lua_getglobal(L, name) != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  make_proxy(L, name);
  lua_setglobal(L, name);
}

}  // namespace

void protect_libraries(lua_State* L) {
  lua_newtable(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &proxies_key);

  // sluice.json first, so that the sluice table holds its proxy.
  if (lua_getglobal(L, "sluice") == LUA_TTABLE) {
    if (lua_getfield(L, -1, "json") == LUA_TTABLE) {
      make_proxy(L, "sluice.json");
      lua_setfield(L, -2, "json");
    } else {
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  for (const char* name : {LUA_STRLIBNAME, LUA_TABLIBNAME, LUA_MATHLIBNAME, LUA_UTF8LIBNAME,
                           LUA_COLIBNAME, LUA_OSLIBNAME, "sluice"})
    proxy_global(L, name);

  // Strings keep the library table itself as __index (no proxy hop on
  // s:upper()); __metatable hides it from getmetatable("").
  lua_pushliteral(L, "");
  if (lua_getmetatable(L, -1)) {
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
  }
  lua_pop(L, 1);

  lua_pushcfunction(L, raw_get);
  lua_setglobal(L, "rawget");
  lua_pushcfunction(L, raw_set);
  lua_setglobal(L, "rawset");
}

}  // namespace sluice::lua
