#include "lua/bounded_library.hpp"

#include <cstring>

#include "lua/lua_state.hpp"

// These functions raise Lua errors (longjmp): no C++ object with a
// destructor may be alive in them.
namespace sluice::lua {
namespace {

// Element copies charged to the budget in one go.
constexpr int64_t kChargeBatch = 1024;

enum TableUse { kRead = 1, kWrite = 2, kLength = 4 };

bool has_metafield(lua_State* L, const char* key, int n) {
  lua_pushstring(L, key);
  return lua_rawget(L, -n) != LUA_TNIL;
}

// A table, or a value whose metatable provides what `use` needs (as the
// standard table library accepts).
void check_table(lua_State* L, int arg, int use) {
  if (lua_type(L, arg) == LUA_TTABLE) return;
  int n = 1;
  if (lua_getmetatable(L, arg) && (!(use & kRead) || has_metafield(L, "__index", ++n)) &&
      (!(use & kWrite) || has_metafield(L, "__newindex", ++n)) &&
      (!(use & kLength) || has_metafield(L, "__len", ++n))) {
    lua_pop(L, n);
    return;
  }
  luaL_checktype(L, arg, LUA_TTABLE);
}

// Counts element copies and charges them in batches.
struct CopyMeter {
  lua_State* L;
  int64_t pending = 0;
  void tick() {
    if (++pending == kChargeBatch) flush();
  }
  void flush() {
    LuaState::of(L).charge(L, pending);
    pending = 0;
  }
};

int table_insert(lua_State* L) {
  check_table(L, 1, kRead | kWrite | kLength);
  lua_Integer end = luaL_len(L, 1) + 1;  // first empty slot
  lua_Integer pos = end;
  switch (lua_gettop(L)) {
    case 2:
      break;
    case 3: {
      pos = luaL_checkinteger(L, 2);
      luaL_argcheck(L, static_cast<lua_Unsigned>(pos) - 1u < static_cast<lua_Unsigned>(end), 2,
                    "position out of bounds");
      CopyMeter meter{L};
      for (lua_Integer i = end; i > pos; i--) {  // shift up
        lua_geti(L, 1, i - 1);
        lua_seti(L, 1, i);
        meter.tick();
      }
      meter.flush();
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments to 'insert'");
  }
  lua_seti(L, 1, pos);
  return 0;
}

int table_remove(lua_State* L) {
  check_table(L, 1, kRead | kWrite | kLength);
  lua_Integer size = luaL_len(L, 1);
  lua_Integer pos = luaL_optinteger(L, 2, size);
  if (pos != size)
    luaL_argcheck(L, static_cast<lua_Unsigned>(pos) - 1u <= static_cast<lua_Unsigned>(size), 2,
                  "position out of bounds");
  lua_geti(L, 1, pos);  // the result
  CopyMeter meter{L};
  for (; pos < size; pos++) {  // shift down
    lua_geti(L, 1, pos + 1);
    lua_seti(L, 1, pos);
    meter.tick();
  }
  meter.flush();
  lua_pushnil(L);
  lua_seti(L, 1, pos);
  return 1;
}

int table_move(lua_State* L) {
  lua_Integer from = luaL_checkinteger(L, 2);
  lua_Integer last = luaL_checkinteger(L, 3);
  lua_Integer to = luaL_checkinteger(L, 4);
  int dest = !lua_isnoneornil(L, 5) ? 5 : 1;
  check_table(L, 1, kRead);
  check_table(L, dest, kWrite);
  if (last >= from) {
    luaL_argcheck(L, from > 0 || last < LUA_MAXINTEGER + from, 3, "too many elements to move");
    lua_Integer n = last - from + 1;
    luaL_argcheck(L, to <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
    CopyMeter meter{L};
    if (to > last || to <= from || (dest != 1 && !lua_compare(L, 1, dest, LUA_OPEQ))) {
      for (lua_Integer i = 0; i < n; i++) {
        lua_geti(L, 1, from + i);
        lua_seti(L, dest, to + i);
        meter.tick();
      }
    } else {
      for (lua_Integer i = n - 1; i >= 0; i--) {  // overlapping: copy backwards
        lua_geti(L, 1, from + i);
        lua_seti(L, dest, to + i);
        meter.tick();
      }
    }
    meter.flush();
  }
  lua_pushvalue(L, dest);
  return 1;
}

// string.rep: the stock one loops n times even when every copy is empty.
int string_rep(lua_State* L) {
  size_t len = 0, sep_len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  lua_Integer n = luaL_checkinteger(L, 2);
  const char* sep = luaL_optlstring(L, 3, "", &sep_len);
  if (n <= 0 || len + sep_len == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  if (len + sep_len < len ||
      len + sep_len > static_cast<size_t>(LUA_MAXINTEGER) / static_cast<lua_Unsigned>(n))
    return luaL_error(L, "resulting string too large");
  size_t total = static_cast<size_t>(n) * len + static_cast<size_t>(n - 1) * sep_len;
  luaL_Buffer b;
  // Raises "not enough memory" past the cap; a big result is charged to the
  // budget by the allocator.
  char* p = luaL_buffinitsize(L, &b, total);
  while (n-- > 1) {
    std::memcpy(p, s, len);
    p += len;
    if (sep_len > 0) {
      std::memcpy(p, sep, sep_len);
      p += sep_len;
    }
  }
  std::memcpy(p, s, len);
  luaL_pushresultsize(&b, total);
  return 1;
}

// setmetatable without __gc: Lua runs finalizers with hooks off, so a
// finalizer could loop forever out of the budget's reach.
int set_metatable(lua_State* L) {
  int type = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, type == LUA_TNIL || type == LUA_TTABLE, 2, "nil or table");
  if (type == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    bool finalizer = lua_rawget(L, 2) != LUA_TNIL;
    lua_pop(L, 1);
    if (finalizer) return luaL_argerror(L, 2, "__gc metamethods are not allowed in the sandbox");
  }
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
    return luaL_error(L, "cannot change a protected metatable");
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

// coroutine.create: refused once the running call is stopped, so a
// stopped call cannot keep going in fresh threads.
int coroutine_create(lua_State* L) {
  LuaState& state = LuaState::of(L);
  if (state.exhausted()) state.raise_exhausted(L, 1);
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_State* thread = lua_newthread(L);  // inherits the budget hook
  lua_pushvalue(L, 1);
  lua_xmove(L, thread, 1);
  return 1;
}

// coroutine.wrap: the same check, then the stock wrap (upvalue 1), which
// only creates the thread.
int coroutine_wrap(lua_State* L) {
  LuaState& state = LuaState::of(L);
  if (state.exhausted()) state.raise_exhausted(L, 1);
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  return 1;
}

void set_field(lua_State* L, const char* table, const char* name, lua_CFunction f,
               bool keep_original = false) {
  lua_getglobal(L, table);
  if (keep_original) {
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, f, 1);
  } else {
    lua_pushcfunction(L, f);
  }
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

}  // namespace

void install_bounded_library(lua_State* L) {
  set_field(L, LUA_TABLIBNAME, "insert", table_insert);
  set_field(L, LUA_TABLIBNAME, "remove", table_remove);
  set_field(L, LUA_TABLIBNAME, "move", table_move);
  set_field(L, LUA_STRLIBNAME, "rep", string_rep);
  set_field(L, LUA_COLIBNAME, "create", coroutine_create);
  set_field(L, LUA_COLIBNAME, "wrap", coroutine_wrap, true);
  lua_pushcfunction(L, set_metatable);
  lua_setglobal(L, "setmetatable");
}

}  // namespace sluice::lua
