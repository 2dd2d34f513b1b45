// One sandboxed Lua 5.4 state: only safe libraries (no io, os.execute,
// debug, package, bytecode), a memory cap enforced by its allocator and an
// instruction budget per call enforced by a count hook.
#pragma once

#include <cstddef>
#include <lua.hpp>
#include <memory>
#include <string>

namespace sluice::lua {

struct StateLimits {
  int instructions = 1'000'000;             // per protected call
  size_t memory_bytes = 64u * 1024 * 1024;  // whole state
};

class LuaState {
 public:
  explicit LuaState(StateLimits limits);
  ~LuaState();
  LuaState(const LuaState&) = delete;
  LuaState& operator=(const LuaState&) = delete;

  lua_State* get() const { return L_; }
  // Bytes the state holds now.
  size_t memory_used() const { return alloc_.used; }
  const StateLimits& limits() const { return limits_; }

  // lua_pcall with the instruction budget armed for this call only.
  // Returns the status; on error the message is on the stack top.
  int protected_call(int nargs, int nresults);
  // Same for a coroutine-free chunk loaded from text only ("t" mode):
  // compiles `source` named `chunk_name` ("@/etc/sluice/routes.lua").
  int load_text(const std::string& source, const std::string& chunk_name);

  // The count hook that stops a call past its budget (set per call or
  // per coroutine resume).
  static void budget_hook(lua_State* L, lua_Debug* ar);

 private:
  struct Allocator {
    size_t used = 0;
    size_t limit = 0;
  };
  static void* allocate(void* ud, void* ptr, size_t old_size, size_t new_size);
  void open_safe_libraries();

  StateLimits limits_;
  Allocator alloc_;
  lua_State* L_ = nullptr;
};

}  // namespace sluice::lua
