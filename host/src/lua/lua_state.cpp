#include "lua/lua_state.hpp"

#include <cstdlib>
#include <stdexcept>

namespace sluice::lua {
namespace {

// `load` restricted to text chunks: binary chunks can break the VM.
int safe_load(lua_State* L) {
  size_t len = 0;
  const char* text = lua_isstring(L, 1) ? lua_tolstring(L, 1, &len) : nullptr;
  if (!text) return luaL_error(L, "load: only source text is allowed in the sandbox");
  const char* name = luaL_optstring(L, 2, "=(load)");
  int env = lua_isnone(L, 4) ? 0 : 4;
  int status = luaL_loadbufferx(L, text, len, name, "t");
  if (status != LUA_OK) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  if (env) {
    lua_pushvalue(L, env);
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  }
  return 1;
}

void remove_field(lua_State* L, const char* table, const char* field) {
  if (lua_getglobal(L, table) == LUA_TTABLE) {
    lua_pushnil(L);
    lua_setfield(L, -2, field);
  }
  lua_pop(L, 1);
}

}  // namespace

LuaState::LuaState(StateLimits limits) : limits_(limits) {
  alloc_.limit = limits_.memory_bytes;
  L_ = lua_newstate(&LuaState::allocate, &alloc_);
  if (!L_) throw std::runtime_error("cannot create a Lua state");
  open_safe_libraries();
}

LuaState::~LuaState() {
  if (L_) lua_close(L_);
}

void* LuaState::allocate(void* ud, void* ptr, size_t old_size, size_t new_size) {
  auto* a = static_cast<Allocator*>(ud);
  if (!ptr) old_size = 0;  // then old_size encodes the object type
  if (new_size == 0) {
    std::free(ptr);
    a->used -= old_size;
    return nullptr;
  }
  // Refusing an allocation makes Lua raise "not enough memory" in the
  // script, which fails that call only.
  if (new_size > old_size && a->used - old_size + new_size > a->limit) return nullptr;
  void* p = std::realloc(ptr, new_size);
  if (p) a->used = a->used - old_size + new_size;
  return p;
}

void LuaState::budget_hook(lua_State* L, lua_Debug* ar) {
  (void)ar;
  // Fires once, when the call has run its whole budget.
  lua_sethook(L, nullptr, 0, 0);
  luaL_where(L, 0);
  lua_pushstring(L, "instruction budget exceeded (runaway loop?)");
  lua_concat(L, 2);
  lua_error(L);
}

int LuaState::protected_call(int nargs, int nresults) {
  lua_sethook(L_, &LuaState::budget_hook, LUA_MASKCOUNT, limits_.instructions);
  int status = lua_pcall(L_, nargs, nresults, 0);
  lua_sethook(L_, nullptr, 0, 0);
  return status;
}

int LuaState::load_text(const std::string& source, const std::string& chunk_name) {
  return luaL_loadbufferx(L_, source.data(), source.size(), chunk_name.c_str(), "t");
}

void LuaState::open_safe_libraries() {
  static const luaL_Reg kLibraries[] = {
      {LUA_GNAME, luaopen_base},        {LUA_TABLIBNAME, luaopen_table},
      {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
      {LUA_UTF8LIBNAME, luaopen_utf8},  {LUA_COLIBNAME, luaopen_coroutine},
      {LUA_OSLIBNAME, luaopen_os}};
  for (const auto& lib : kLibraries) {
    luaL_requiref(L_, lib.name, lib.func, 1);
    lua_pop(L_, 1);
  }
  // os keeps only the clock functions.
  lua_getglobal(L_, "os");
  lua_newtable(L_);
  for (const char* keep : {"time", "clock", "date", "difftime"}) {
    lua_getfield(L_, -2, keep);
    lua_setfield(L_, -2, keep);
  }
  lua_setglobal(L_, "os");
  lua_pop(L_, 1);
  for (const char* global : {"dofile", "loadfile", "collectgarbage"}) {
    lua_pushnil(L_);
    lua_setglobal(L_, global);
  }
  lua_pushcfunction(L_, safe_load);
  lua_setglobal(L_, "load");
  remove_field(L_, "string", "dump");
}

}  // namespace sluice::lua
