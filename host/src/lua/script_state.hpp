// One worker's copy of the user's script: a sandboxed Lua state that ran
// the script's top level, the `sluice` module the script sees, and what the
// script registered (native routes, handlers). Used by one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "lua/lua_state.hpp"
#include "runtime/delivery.hpp"
#include "runtime/output.hpp"
#include "runtime/router.hpp"

namespace sluice::lua {

// A handler as the script registered it (sluice.on / sluice.on_request).
struct HandlerSpec {
  enum class Kind { kMessage, kRequest };
  Kind kind = Kind::kMessage;
  std::string from;         // "connector" or "connector:subject-pattern"
  std::string name;         // given, or "routes.lua:12"
  std::string dead_letter;  // "connector[:subject]", "" = nack on error
  config::SourceLocation where;
};

// What one handler call may act on: the source message's at-least-once
// record and where outputs go.
struct CallContext {
  runtime::Delivery* delivery = nullptr;
  runtime::Dispatch* out = nullptr;
  runtime::RouteStats* stats = nullptr;
  std::optional<runtime::Target> dead_letter;
  const message::EnvelopePtr* message = nullptr;
  int published = 0;
};

// The outcome of one handler call.
struct CallResult {
  bool ok = true;
  std::string error;  // "routes.lua:14: attempt to index a nil value"
  // The returned value: nil/false = nothing; a string, a table (as JSON) or
  // a message's payload otherwise.
  std::optional<std::string> returned;
  // A second returned value, a table name -> text: the reply's headers
  // (`return body, { ["http-status"] = 201 }`).
  std::vector<std::pair<std::string, std::string>> reply_headers;
  int published = 0;  // sluice.publish calls made
};

using CallDone = std::function<void(const CallResult&)>;

class ScriptState {
 public:
  ScriptState(std::string path, std::string node_id, StateLimits limits,
              runtime::ConnectorLookup lookup);
  ~ScriptState();
  ScriptState(const ScriptState&) = delete;
  ScriptState& operator=(const ScriptState&) = delete;

  // Compiles and runs the script's top level. Returns "" or the error,
  // with the script's file:line.
  std::string load(const std::string& source);

  const std::vector<config::RouteConfig>& routes() const { return routes_; }
  const std::vector<HandlerSpec>& handlers() const { return handlers_; }

  // Runs handler `index` on `message` as a coroutine. `done` gets the
  // outcome: at once, or, when the handler waits in sluice.request, later
  // on this same worker (the delivery is held meanwhile).
  void call(size_t index, const message::EnvelopePtr& message, const CallContext& context,
            CallDone done);
  // Handler calls waiting for a reply.
  size_t waiting() const { return pending_.size(); }

  LuaState& lua() { return lua_; }
  const std::string& path() const { return path_; }

 private:
  static ScriptState& from(lua_State* L);
  static int l_route(lua_State* L);
  static int l_on(lua_State* L);
  static int l_on_request(lua_State* L);
  static int l_publish(lua_State* L);
  static int l_log(lua_State* L);
  static int l_output_group(lua_State* L);
  static int l_print(lua_State* L);
  static int l_request(lua_State* L);
  // Starts a request for the running coroutine; returns "" or what is wrong.
  std::string request(lua_State* L);
  struct Pending;
  void run(uint64_t id, int nargs);
  void resume_with_reply(uint64_t id, sluice_status status, const std::string& error,
                         message::EnvelopePtr reply);
  int register_handler(lua_State* L, HandlerSpec::Kind kind, const char* function);
  config::SourceLocation caller_location(lua_State* L) const;
  // Builds and sends one publish; returns "" or what is wrong.
  std::string publish(lua_State* L);
  void install_module();

  std::string path_;
  std::string node_id_;
  runtime::ConnectorLookup lookup_;
  LuaState lua_;
  bool loading_ = false;
  std::vector<config::RouteConfig> routes_;
  std::vector<HandlerSpec> handlers_;
  std::vector<int> handler_refs_;  // registry references, parallel to handlers_
  std::unordered_map<std::string, runtime::Connector*> sinks_;
  CallContext* context_ = nullptr;  // set while a handler runs
  uint64_t running_ = 0;            // its pending_ id
  std::unordered_map<uint64_t, std::unique_ptr<Pending>> pending_;
  uint64_t next_id_ = 1;
  std::vector<int> idle_threads_;  // finished coroutines, reused (registry refs)
};

}  // namespace sluice::lua
