// One sandboxed Lua 5.4 state: only safe libraries (no io, os.execute,
// debug, package, bytecode), shared library tables read-only once the
// script's top level has run, a memory cap enforced by its allocator and a
// budget per call (instructions in every coroutine the call starts, pattern
// matching steps, a time backstop) that pcall cannot absorb.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <lua.hpp>
#include <memory>
#include <string>

namespace sluice::lua {

struct StateLimits {
  int instructions = 1'000'000;             // per call (top level or handler call)
  size_t memory_bytes = 64u * 1024 * 1024;  // whole state
};

// What one call has spent so far; kept across the resumes of a handler
// that waits in sluice.request.
struct CallSpending {
  int64_t instructions = 0;
  std::chrono::nanoseconds running{0};
};

class LuaState {
 public:
  explicit LuaState(StateLimits limits);
  ~LuaState();
  LuaState(const LuaState&) = delete;
  LuaState& operator=(const LuaState&) = delete;

  lua_State* get() const { return L_; }
  // The LuaState that owns `L` (any of its threads).
  static LuaState& of(lua_State* L);
  // Bytes the state holds now.
  size_t memory_used() const { return alloc_.used; }
  const StateLimits& limits() const { return limits_; }

  // lua_pcall of the function below `nargs` arguments as one budgeted call.
  // Returns the status; on error the message is on the stack top.
  int protected_call(int nargs, int nresults);
  // Compiles `source` (text only) named `chunk_name` ("@/etc/sluice/routes.lua").
  int load_text(const std::string& source, const std::string& chunk_name);

  // Brackets one run of a call (a resume of a handler's coroutine): from
  // begin_call to end_call every thread of the state charges this call.
  // `thread` runs the call; `spent` is what earlier runs of it used.
  void begin_call(lua_State* thread, const CallSpending& spent = {});
  CallSpending end_call();
  // Makes `thread` count instructions from a fresh chunk (call before
  // resuming it).
  static void arm(lua_State* thread);

  // Charges `steps` of work done in C (pattern matching, copying) to the
  // running call. Raises the budget error in `L` once the call is over
  // budget (so only call it where a Lua error may be raised).
  void charge(lua_State* L, int64_t steps);
  // The same where no Lua error may be raised (C++ objects alive): the
  // call stops at its next budget check instead.
  void charge_later(lua_State* L, int64_t steps);
  // Steps the running call may still take before charge() raises.
  int64_t steps_left() const;
  // True once the running call has been stopped: from then on every hook,
  // coroutine creation and charge raises again.
  bool exhausted() const { return exhausted_; }
  [[noreturn]] void raise_exhausted(lua_State* L, int level);

  // Library tables become read-only (after the script's top level ran).
  void freeze_libraries() { frozen_ = true; }
  bool libraries_frozen() const { return frozen_; }

 private:
  struct Allocator {
    size_t used = 0;
    size_t limit = 0;
  };
  static void* allocate(void* ud, void* ptr, size_t old_size, size_t new_size);
  static void budget_hook(lua_State* L, lua_Debug* ar);
  bool over_budget(bool check_clock);
  void open_safe_libraries();

  StateLimits limits_;
  Allocator alloc_;
  lua_State* L_ = nullptr;
  // The running call's account.
  bool in_call_ = false;
  lua_State* call_thread_ = nullptr;
  bool exhausted_ = false;
  bool out_of_time_ = false;
  int64_t spent_ = 0;
  bool clock_started_ = false;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point run_started_;
  std::chrono::nanoseconds ran_before_{0};
  bool frozen_ = false;
};

}  // namespace sluice::lua
