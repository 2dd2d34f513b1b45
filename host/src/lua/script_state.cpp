#include "lua/script_state.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "log/logger.hpp"
#include "lua/json_bridge.hpp"
#include "lua/library_guard.hpp"
#include "lua/message_api.hpp"
#include "runtime/connector.hpp"

namespace sluice::lua {
namespace {

// sluice.kv(connector): get/set/incr/del on a key/value connector (Redis),
// as requests to its reserved subject `@kv` through sluice.request, so a
// handler waits for the answer as a coroutine without blocking its worker.
constexpr const char* kKvModule = R"lua(
local sluice = ...
local request, decode, null = sluice.request, sluice.json.decode, sluice.json.null
function sluice.kv(connector)
  if type(connector) ~= "string" or connector == "" then
    error("sluice.kv: give the name of a key/value connector", 2)
  end
  local target = connector .. ":@kv"
  local function call(req, opts)
    local rep, err = request(target, req, opts)
    if not rep then return nil, err end
    local v = decode(rep.payload).value
    if v == null then return nil end
    return v
  end
  return {
    get = function(key, opts) return call({ op = "get", key = key }, opts) end,
    set = function(key, value, ttl_ms, opts)
      local ok, err = call({ op = "set", key = key, value = value, ttl_ms = ttl_ms or 0 }, opts)
      if ok == nil then return nil, err end
      return true
    end,
    incr = function(key, ttl_ms, opts)
      return call({ op = "incr", key = key, ttl_ms = ttl_ms or 0 }, opts)
    end,
    del = function(key, opts) return call({ op = "del", key = key }, opts) end,
  }
end
)lua";

constexpr const char* kComponent = "script";

// Raises the error at the stack top prefixed with the calling line. Only
// call once no C++ object with a destructor is alive in this frame.
int raise_with_location(lua_State* L) {
  luaL_where(L, 1);
  lua_insert(L, -2);
  lua_concat(L, 2);
  return lua_error(L);
}

// The headers a handler returned as its second value: a table whose keys
// are strings and whose values are strings, numbers or booleans.
bool read_reply_headers(lua_State* L, int index,
                        std::vector<std::pair<std::string, std::string>>& out, std::string& error) {
  if (lua_isnil(L, index)) return true;
  if (!lua_istable(L, index)) {
    error = std::string("the second return value (reply headers) must be a table, not a ") +
            luaL_typename(L, index);
    return false;
  }
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    int value_type = lua_type(L, -1);
    if (lua_type(L, -2) != LUA_TSTRING ||
        (value_type != LUA_TSTRING && value_type != LUA_TNUMBER && value_type != LUA_TBOOLEAN)) {
      error = "reply headers map names to strings or numbers (got a " +
              std::string(luaL_typename(L, -2)) + " key and a " + luaL_typename(L, -1) + " value)";
      lua_pop(L, 2);
      return false;
    }
    std::string value = value_type == LUA_TBOOLEAN ? (lua_toboolean(L, -1) ? "true" : "false")
                                                   : std::string(lua_tostring(L, -1));
    out.emplace_back(lua_tostring(L, -2), std::move(value));
    lua_pop(L, 1);
  }
  return true;
}

std::string error_text(lua_State* L, int index) {
  if (const char* s = lua_tostring(L, index)) return s;
  return std::string("(error object is a ") + luaL_typename(L, index) + " value)";
}

std::optional<std::string> opt_string_field(lua_State* L, int table, const char* name) {
  std::optional<std::string> out;
  if (table == 0) return out;
  lua_getfield(L, table, name);
  if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    out.emplace(s, len);
  }
  lua_pop(L, 1);
  return out;
}

}  // namespace

ScriptState::ScriptState(std::string path, std::string node_id, StateLimits limits,
                         runtime::ConnectorLookup lookup)
    : path_(std::move(path)),
      node_id_(std::move(node_id)),
      lookup_(std::move(lookup)),
      lua_(limits) {
  *static_cast<ScriptState**>(lua_getextraspace(lua_.get())) = this;
  install_module();
}

ScriptState::~ScriptState() = default;

ScriptState& ScriptState::from(lua_State* L) {
  return **static_cast<ScriptState**>(lua_getextraspace(L));
}

void ScriptState::install_module() {
  lua_State* L = lua_.get();
  register_message_type(L);
  lua_newtable(L);
  static const luaL_Reg kFunctions[] = {
      {"route", l_route},     {"on", l_on},   {"on_request", l_on_request},
      {"publish", l_publish}, {"log", l_log}, {"request", l_request},
      {nullptr, nullptr}};
  luaL_setfuncs(L, kFunctions, 0);
  for (const char* policy : {"fanout", "fallback", "round_robin"}) {
    lua_pushstring(L, policy);
    lua_pushcclosure(L, l_output_group, 1);
    lua_setfield(L, -2, policy);
  }
  lua_pushlstring(L, node_id_.data(), node_id_.size());
  lua_setfield(L, -2, "node_id");
  push_json_module(L);
  lua_setfield(L, -2, "json");
  // sluice.kv, written in Lua on top of sluice.request (see kKvModule).
  if (luaL_loadbuffer(L, kKvModule, std::strlen(kKvModule), "=sluice.kv") != LUA_OK ||
      (lua_pushvalue(L, -2), lua_pcall(L, 1, 0, 0)) != LUA_OK) {
    log::error("lua", std::string("sluice.kv failed to load: ") + lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  lua_setglobal(L, "sluice");
  lua_pushcfunction(L, l_print);
  lua_setglobal(L, "print");
  protect_libraries(L);
}

std::string ScriptState::load(const std::string& source) {
  lua_State* L = lua_.get();
  loading_ = true;
  std::string error;
  int status = lua_.load_text(source, "@" + path_);
  if (status == LUA_OK) status = lua_.protected_call(0, 0);
  if (status != LUA_OK) {
    error = error_text(L, -1);
    lua_pop(L, 1);
    // Errors raised outside any Lua line (memory) still name the file.
    if (error.rfind(path_, 0) != 0) error = path_ + ": " + error;
  }
  loading_ = false;
  // From now on handlers run: the libraries they share become read-only.
  lua_.freeze_libraries();
  return error;
}

config::SourceLocation ScriptState::caller_location(lua_State* L) const {
  config::SourceLocation where;
  where.file = path_;
  lua_Debug ar;
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar)) {
    if (ar.source && ar.source[0] == '@') where.file = ar.source + 1;
    where.line = ar.currentline > 0 ? ar.currentline : 0;
  }
  return where;
}

int ScriptState::l_route(lua_State* L) {
  auto& self = from(L);
  if (!self.loading_) return luaL_error(L, "sluice.route: only at the script's top level");
  luaL_checktype(L, 1, LUA_TTABLE);
  bool ok = false;
  {
    boost::json::value spec;
    std::string error;
    ok = to_json(L, 1, spec, error) && spec.is_object();
    if (ok) {
      config::RouteConfig rc;
      rc.spec = std::move(spec.get_object());
      if (const auto* n = rc.spec.if_contains("name"); n && n->is_string())
        rc.name = std::string(n->get_string());
      rc.where = self.caller_location(L);
      self.routes_.push_back(std::move(rc));
    } else {
      if (error.empty()) error = "expected a table with from, to and optionally where, throttle";
      lua_pushstring(L, ("sluice.route: " + error).c_str());
    }
  }
  if (!ok) return raise_with_location(L);
  return 0;
}

int ScriptState::l_output_group(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_createtable(L, 0, 1);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, lua_tostring(L, lua_upvalueindex(1)));
  return 1;
}

int ScriptState::l_on(lua_State* L) {
  return from(L).register_handler(L, HandlerSpec::Kind::kMessage, "sluice.on");
}

int ScriptState::l_on_request(lua_State* L) {
  return from(L).register_handler(L, HandlerSpec::Kind::kRequest, "sluice.on_request");
}

int ScriptState::register_handler(lua_State* L, HandlerSpec::Kind kind, const char* function) {
  if (!loading_) return luaL_error(L, "%s: only at the script's top level", function);
  luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  int opts = 0;
  if (!lua_isnoneornil(L, 3)) {
    luaL_checktype(L, 3, LUA_TTABLE);
    opts = 3;
  }
  HandlerSpec spec;
  spec.kind = kind;
  spec.from = lua_tostring(L, 1);
  spec.where = caller_location(L);
  spec.name = opt_string_field(L, opts, "name")
                  .value_or(std::filesystem::path(spec.where.file).filename().string() + ":" +
                            std::to_string(spec.where.line));
  spec.dead_letter = opt_string_field(L, opts, "dead_letter").value_or("");
  handlers_.push_back(std::move(spec));
  lua_pushvalue(L, 2);
  handler_refs_.push_back(luaL_ref(L, LUA_REGISTRYINDEX));
  return 0;
}

int ScriptState::l_publish(lua_State* L) {
  auto& self = from(L);
  luaL_checkstring(L, 1);
  luaL_checkany(L, 2);
  to_message(L, 2);  // raises now for an expired message
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  bool ok = false;
  {
    std::string error = self.publish(L);
    ok = error.empty();
    if (!ok) lua_pushstring(L, ("sluice.publish: " + error).c_str());
  }
  if (!ok) return raise_with_location(L);
  return 0;
}

std::string ScriptState::publish(lua_State* L) {
  if (!context_) return "only inside a handler (not at the script's top level)";
  std::string target_text = lua_tostring(L, 1);
  auto target = runtime::parse_target(target_text);
  runtime::Connector*& sink = sinks_[target.connector];
  if (!sink) {
    sink = lookup_ ? lookup_(target.connector) : nullptr;
    if (!sink) {
      sinks_.erase(target.connector);
      return "unknown connector '" + target.connector + "'";
    }
  }
  if (!sink->is_sink())
    return "connector '" + target.connector + "' (plugin " + sink->plugin().name() +
           ") cannot publish";
  int opts = lua_isnoneornil(L, 3) ? 0 : 3;
  auto key = opt_string_field(L, opts, "key");
  auto subject = opt_string_field(L, opts, "subject");
  bool has_headers = false;
  std::vector<message::Header> headers;
  if (opts) {
    lua_getfield(L, opts, "headers");
    if (lua_istable(L, -1)) {
      has_headers = true;
      lua_pushnil(L);
      while (lua_next(L, -2)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_isstring(L, -1)) {
          lua_pushvalue(L, -2);  // tostring on a copy: lua_next needs the key unchanged
          headers.push_back({lua_tostring(L, -1), lua_tostring(L, -2)});
          lua_pop(L, 1);
        }
        lua_pop(L, 1);
      }
    }
    lua_pop(L, 1);
  }

  message::EnvelopePtr envelope;
  MessageBox* box = to_message_box(L, 2);
  const message::EnvelopePtr* message = box ? &box->envelope : nullptr;
  const message::Envelope& origin = message ? **message : **context_->message;
  if (message && !key && !has_headers) {
    envelope = *message;  // outputs only read it
    box->shared = true;   // so a later msg:set changes a copy
  } else {
    auto fresh = std::make_shared<message::Envelope>();
    if (message) {
      fresh->payload = (*message)->payload;
    } else if (lua_type(L, 2) == LUA_TSTRING) {
      size_t len = 0;
      const char* s = lua_tolstring(L, 2, &len);
      fresh->payload.assign(s, len);
    } else if (lua_istable(L, 2)) {
      std::string error;
      if (!encode_json(L, 2, fresh->payload, error)) return error;
      fresh->headers.push_back({"content-type", "application/json"});
    } else {
      return std::string("expected a message, a string or a table to publish, got ") +
             luaL_typename(L, 2);
    }
    fresh->key = key ? key : (message ? (*message)->key : std::nullopt);
    fresh->headers = has_headers ? std::move(headers)
                                 : (message ? (*message)->headers : std::move(fresh->headers));
    fresh->timestamp_ms = origin.timestamp_ms;
    envelope = std::move(fresh);
  }
  std::string out_subject = subject                   ? *subject
                            : !target.subject.empty() ? target.subject
                                                      : origin.subject;
  context_->out->send(
      *context_->delivery,
      runtime::Output(runtime::OutputKind::kPublish, runtime::Target{sink, std::move(out_subject)},
                      std::move(envelope), context_->dead_letter, context_->stats));
  ++context_->published;
  return "";
}

int ScriptState::l_log(lua_State* L) {
  const char* level_text = luaL_checkstring(L, 1);
  auto level = log::parse_level(level_text);
  if (!level || *level == log::Level::kOff)
    return luaL_error(L, "sluice.log: unknown level '%s' (trace, debug, info, warn, error)",
                      level_text);
  size_t len = 0;
  const char* text = luaL_tolstring(L, 2, &len);
  log::write(*level, kComponent, std::string_view(text, len));
  return 0;
}

int ScriptState::l_print(lua_State* L) {
  int n = lua_gettop(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 1; i <= n; ++i) {
    if (i > 1) luaL_addchar(&b, '\t');
    luaL_tolstring(L, i, nullptr);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  size_t len = 0;
  const char* text = lua_tolstring(L, -1, &len);
  log::info(kComponent, std::string_view(text, len));
  return 0;
}

struct ScriptState::Pending {
  lua_State* thread = nullptr;
  int thread_ref = LUA_NOREF;
  int message_ref = LUA_NOREF;  // pins the message userdata while the call lives
  MessageBox* box = nullptr;
  message::EnvelopePtr message;
  CallSpending spent;  // by the runs so far (one per resume)
  CallContext context;
  CallDone done;
};

void ScriptState::call(size_t index, const message::EnvelopePtr& message,
                       const CallContext& context, CallDone done) {
  lua_State* L = lua_.get();
  auto p = std::make_unique<Pending>();
  if (!idle_threads_.empty()) {
    p->thread_ref = idle_threads_.back();
    idle_threads_.pop_back();
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->thread_ref);
    p->thread = lua_tothread(L, -1);
    lua_pop(L, 1);
  } else {
    p->thread = lua_newthread(L);
    p->thread_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  p->message = message;
  p->box = push_message(L, message);
  p->message_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  p->context = context;
  p->context.message = &p->message;
  p->done = std::move(done);
  lua_rawgeti(p->thread, LUA_REGISTRYINDEX, handler_refs_[index]);
  lua_rawgeti(p->thread, LUA_REGISTRYINDEX, p->message_ref);
  uint64_t id = next_id_++;
  pending_.emplace(id, std::move(p));
  run(id, 1);
}

void ScriptState::run(uint64_t id, int nargs) {
  lua_State* L = lua_.get();
  auto it = pending_.find(id);
  Pending& p = *it->second;
  lua_State* co = p.thread;
  context_ = &p.context;
  running_ = id;
  LuaState::arm(co);
  lua_.begin_call(co, p.spent);
  int nresults = 0;
  int status = lua_resume(co, L, nargs, &nresults);
  p.spent = lua_.end_call();
  context_ = nullptr;
  running_ = 0;
  if (status == LUA_YIELD) {
    lua_pop(co, nresults);
    return;  // sluice.request sent; resumed by resume_with_reply
  }
  CallResult result;
  result.published = p.context.published;
  int top = lua_gettop(co);
  int first = top - nresults + 1;
  if (status != LUA_OK) {
    result.ok = false;
    result.error = error_text(co, -1);
    // Errors raised outside any Lua line (memory) still name the file.
    if (result.error.rfind(path_, 0) != 0) result.error = path_ + ": " + result.error;
  } else if (nresults > 0) {
    if (lua_type(co, first) == LUA_TSTRING || lua_type(co, first) == LUA_TNUMBER) {
      size_t len = 0;
      const char* s = lua_tolstring(co, first, &len);
      result.returned.emplace(s, len);
    } else if (lua_istable(co, first)) {
      std::string text, error;
      if (encode_json(co, first, text, error)) {
        result.returned = std::move(text);
      } else {
        result.ok = false;
        result.error = path_ + ": handler's return value: " + error;
      }
    } else if (const MessageBox* m = test_message_box(co, first)) {
      // Its payload as msg:set left it (the box still holds its copy).
      const auto& env = m->envelope;
      result.returned = env ? env->payload : p.message->payload;
    } else if (lua_toboolean(co, first)) {
      result.returned.emplace();  // `return true`: handled, nothing to say
    }
    std::string error;
    if (result.ok && nresults > 1 &&
        !read_reply_headers(co, first + 1, result.reply_headers, error)) {
      result.ok = false;
      result.error = path_ + ": handler's return value: " + error;
    }
  }
  p.box->envelope.reset();  // a message kept by the script expires with its call
  lua_settop(co, 0);
  luaL_unref(L, LUA_REGISTRYINDEX, p.message_ref);
  // A coroutine that returned can run the next call; one that failed is
  // dropped (its stack is unwound state we do not reuse).
  if (status == LUA_OK && idle_threads_.size() < 4)
    idle_threads_.push_back(p.thread_ref);
  else
    luaL_unref(L, LUA_REGISTRYINDEX, p.thread_ref);
  auto finished = std::move(it->second);
  pending_.erase(it);
  finished->done(result);
}

int ScriptState::l_request(lua_State* L) {
  auto& self = from(L);
  luaL_checkstring(L, 1);
  luaL_checkany(L, 2);
  to_message(L, 2);
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  if (!self.context_ || !lua_isyieldable(L))
    return luaL_error(L, "sluice.request: only inside a handler");
  // Yielding from a coroutine the script made itself would resume that
  // one, not the handler: refuse rather than mix them up.
  if (L != self.pending_.at(self.running_)->thread)
    return luaL_error(L, "sluice.request: not inside a coroutine the script created");
  bool ok = false;
  {
    std::string error = self.request(L);
    ok = error.empty();
    if (!ok) lua_pushstring(L, ("sluice.request: " + error).c_str());
  }
  if (!ok) return raise_with_location(L);
  return lua_yield(L, 0);
}

std::string ScriptState::request(lua_State* L) {
  auto target = runtime::parse_target(lua_tostring(L, 1));
  runtime::Connector* c = lookup_ ? lookup_(target.connector) : nullptr;
  if (!c) return "unknown connector '" + target.connector + "'";
  int opts = lua_isnoneornil(L, 3) ? 0 : 3;
  uint32_t timeout_ms = 5000;
  if (opts) {
    lua_getfield(L, opts, "timeout_ms");
    if (lua_isinteger(L, -1) && lua_tointeger(L, -1) > 0)
      timeout_ms = static_cast<uint32_t>(std::min<lua_Integer>(lua_tointeger(L, -1), 3600000));
    lua_pop(L, 1);
  }
  auto envelope = std::make_shared<message::Envelope>();
  if (const auto* m = to_message(L, 2)) {
    envelope->payload = (*m)->payload;
    envelope->headers = (*m)->headers;
  } else if (lua_type(L, 2) == LUA_TSTRING) {
    size_t len = 0;
    const char* s = lua_tolstring(L, 2, &len);
    envelope->payload.assign(s, len);
  } else if (lua_istable(L, 2)) {
    std::string error;
    if (!encode_json(L, 2, envelope->payload, error)) return error;
    envelope->headers.push_back({"content-type", "application/json"});
  } else {
    return std::string("expected a message, a string or a table, got ") + luaL_typename(L, 2);
  }
  std::string subject = target.subject.empty() ? (*context_->message)->subject : target.subject;
  runtime::Output output(runtime::OutputKind::kRequest, runtime::Target{c, std::move(subject)},
                         std::move(envelope), std::nullopt, context_->stats);
  output.timeout_ms = timeout_ms;
  uint64_t id = running_;
  runtime::Dispatch* out = context_->out;
  // Called once, on whatever thread completes the request: hop back to
  // this state's worker, which alone may touch the state.
  output.on_reply = [this, id, out](sluice_status status, const std::string& error,
                                    message::EnvelopePtr reply) {
    out->post([this, id, status, error, reply] { resume_with_reply(id, status, error, reply); });
  };
  context_->delivery->hold();  // until the handler has resumed
  out->send(*context_->delivery, std::move(output));
  return "";
}

void ScriptState::resume_with_reply(uint64_t id, sluice_status status, const std::string& error,
                                    message::EnvelopePtr reply) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  runtime::Delivery* delivery = it->second->context.delivery;
  lua_State* co = it->second->thread;
  if (status == SLUICE_OK && reply) {
    push_message(co, std::move(reply));
    lua_pushnil(co);
  } else {
    lua_pushnil(co);
    std::string why = status == SLUICE_OK ? "no reply" : (error.empty() ? "failed" : error);
    lua_pushlstring(co, why.data(), why.size());
  }
  run(id, 2);
  delivery->settle(true);  // the hold taken when the request was sent
}

}  // namespace sluice::lua
