#include "lua/lua_state.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "lua/bounded_library.hpp"
#include "lua/bounded_patterns.hpp"

namespace sluice::lua {
namespace {

using Clock = std::chrono::steady_clock;

// Instructions between two runs of the budget hook in each thread. The VM
// pays a little per instruction as soon as any count hook is set; the hook
// itself runs this rarely, so a small chunk costs little and stops a
// runaway soon.
constexpr int kHookChunk = 1000;

// Allocations at least this big are charged to the running call, one
// step per kBytesPerStep bytes.
constexpr size_t kLargeAllocation = 64 * 1024;
constexpr int64_t kBytesPerStep = 64;

// The time backstop: a call also stops once it has run this long per
// budgeted instruction (at least kMinRunTime), which catches C functions
// that do much work per instruction.
constexpr auto kRunTimePerInstruction = std::chrono::microseconds(1);
constexpr auto kMinRunTime = std::chrono::seconds(1);
// Charges at least this big also look at the clock.
constexpr int64_t kClockCheckSteps = 1024;

// `load` restricted to text chunks: binary chunks can break the VM.
int safe_load(lua_State* L) {
  size_t len = 0;
  const char* text = lua_isstring(L, 1) ? lua_tolstring(L, 1, &len) : nullptr;
  if (!text) return luaL_error(L, "load: only source text is allowed in the sandbox");
  const char* name = luaL_optstring(L, 2, "=(load)");
  int env = lua_isnone(L, 4) ? 0 : 4;
  LuaState::of(L).charge(L, static_cast<int64_t>(len) / kBytesPerStep);  // compiling
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
  L_ = lua_newstate(&LuaState::allocate, this);
  if (!L_) throw std::runtime_error("cannot create a Lua state");
  // Every thread inherits its creator's hook (lua_newthread copies it), so
  // this one hook counts every coroutine the script ever makes.
  arm(L_);
  open_safe_libraries();
}

LuaState::~LuaState() {
  if (L_) lua_close(L_);
}

LuaState& LuaState::of(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return *static_cast<LuaState*>(ud);
}

void* LuaState::allocate(void* ud, void* ptr, size_t old_size, size_t new_size) {
  auto* a = &static_cast<LuaState*>(ud)->alloc_;
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
  // Library functions that build big strings or tables (string.rep, upper,
  // table.concat...) run no instructions: their large allocations are
  // charged instead, so a loop of them stops soon.
  if (new_size >= kLargeAllocation) {
    auto* self = static_cast<LuaState*>(ud);
    if (self->in_call_)
      self->charge_later(self->call_thread_, static_cast<int64_t>(new_size) / kBytesPerStep);
  }
  return p;
}

void LuaState::arm(lua_State* thread) {
  lua_sethook(thread, &LuaState::budget_hook, LUA_MASKCOUNT, kHookChunk);
}

void LuaState::begin_call(lua_State* thread, const CallSpending& spent) {
  in_call_ = true;
  call_thread_ = thread;
  exhausted_ = false;
  out_of_time_ = false;
  spent_ = spent.instructions;
  ran_before_ = spent.running;
  clock_started_ = false;  // read on the first budget check, not on every call
}

CallSpending LuaState::end_call() {
  CallSpending spent{spent_, ran_before_};
  if (clock_started_) spent.running += Clock::now() - run_started_;
  in_call_ = false;
  call_thread_ = nullptr;
  exhausted_ = false;
  out_of_time_ = false;
  spent_ = 0;
  return spent;
}

bool LuaState::over_budget(bool check_clock) {
  if (exhausted_ || spent_ >= limits_.instructions) return true;
  if (!check_clock) return false;
  // The clock runs from the first check of a run: a short call (most
  // handlers run fewer instructions than one hook chunk) never reads it.
  auto now = Clock::now();
  if (!clock_started_) {
    clock_started_ = true;
    run_started_ = now;
    auto allowed = std::max<Clock::duration>(
        kMinRunTime, kRunTimePerInstruction * std::max(limits_.instructions, 0));
    deadline_ = now + allowed - ran_before_;
  }
  if (now >= deadline_) {
    out_of_time_ = true;
    return true;
  }
  return false;
}

int64_t LuaState::steps_left() const {
  return exhausted_ ? 0 : std::max<int64_t>(0, limits_.instructions - spent_);
}

void LuaState::charge(lua_State* L, int64_t steps) {
  if (!in_call_) return;
  spent_ += steps;
  if (over_budget(steps >= kClockCheckSteps)) raise_exhausted(L, 1);
}

void LuaState::charge_later(lua_State* L, int64_t steps) {
  if (!in_call_) return;
  spent_ += steps;
  if (spent_ >= limits_.instructions)
    lua_sethook(L, &LuaState::budget_hook, LUA_MASKCOUNT, 1);  // stop at the next instruction
}

void LuaState::raise_exhausted(lua_State* L, int level) {
  exhausted_ = true;
  // Fire again at this thread's next instruction: a pcall that caught this
  // error returns into code that stops at once.
  lua_sethook(L, &LuaState::budget_hook, LUA_MASKCOUNT, 1);
  luaL_where(L, level);
  lua_pushstring(L, out_of_time_ ? "time budget exceeded (runaway loop or slow library call?)"
                                 : "instruction budget exceeded (runaway loop?)");
  lua_concat(L, 2);
  lua_error(L);
  std::abort();  // lua_error does not return
}

void LuaState::budget_hook(lua_State* L, lua_Debug* ar) {
  (void)ar;
  LuaState& self = of(L);
  if (!self.in_call_) return;
  int chunk = lua_gethookcount(L);
  self.spent_ += chunk;
  if (self.over_budget(true)) self.raise_exhausted(L, 0);
  // A thread left at 1 by a stopped call counts in chunks again.
  if (chunk != kHookChunk) arm(L);
}

int LuaState::protected_call(int nargs, int nresults) {
  arm(L_);
  begin_call(L_);
  int status = lua_pcall(L_, nargs, nresults, 0);
  end_call();
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
  install_bounded_patterns(L_);
  install_bounded_library(L_);
}

}  // namespace sluice::lua
