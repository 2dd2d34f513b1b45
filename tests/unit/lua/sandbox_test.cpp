// The sandbox and the failure path: runaway loops and allocations stop the
// call only, dangerous libraries are absent, script errors dead-letter or
// nack the message, load errors name file and line.
#include <thread>

#include "config/config.hpp"
#include "lua/lua_state.hpp"
#include "lua_fixture.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

TEST_F(LuaTest, Sandbox_InfiniteLoopIsStoppedAndTheNextMessageStillRuns) {
  cfg_.workers = 1;
  cfg_.script_limits.instructions = 100000;
  start(R"(
sluice.on("src", function(msg)
  if msg.payload == "loop" then while true do end end
  sluice.publish("out", msg)
end)
)");
  ASSERT_EQ(src().emit("loop", "k"), Status::kOk);
  ASSERT_EQ(src().emit("fine", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().nacked() == 1 && src().acked() == 1; }, 5s));
  ASSERT_EQ(out().recorded().size(), 1u);
  EXPECT_EQ(out().recorded()[0].payload, "fine");
  EXPECT_EQ(counter("sluice_script_errors_total", {{"handler", "routes.lua:2"}}), 1);
}

TEST_F(LuaTest, Sandbox_MemoryCapFailsTheCallNotTheProcess) {
  cfg_.workers = 1;
  cfg_.script_limits.memory_mb = 4;
  cfg_.script_limits.instructions = 100'000'000;
  start(R"(
sluice.on("src", function(msg)
  if msg.payload == "hog" then
    local t = {}
    for i = 1, 10000000 do t[i] = string.rep("x", 64) .. i end
  end
  sluice.publish("out", msg)
end, { dead_letter = "dlq" })
)");
  ASSERT_EQ(src().emit("hog", "k"), Status::kOk);
  ASSERT_EQ(src().emit("fine", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 2; }, 20s));
  ASSERT_EQ(dlq().recorded().size(), 1u);
  EXPECT_NE(dlq().recorded()[0].headers["sluice-error"].find("not enough memory"),
            std::string::npos)
      << dlq().recorded()[0].headers["sluice-error"];
  ASSERT_EQ(out().recorded().size(), 1u);
  EXPECT_EQ(out().recorded()[0].payload, "fine");
}

TEST(LuaState, Sandbox_AllocatorRefusesBeyondTheCap) {
  lua::LuaState state({1'000'000, 1024 * 1024});
  lua_State* L = state.get();
  ASSERT_EQ(state.load_text("local t = {} for i = 1, 1e7 do t[i] = i end", "=cap"), LUA_OK);
  EXPECT_EQ(state.protected_call(0, 0), LUA_ERRMEM);
  lua_pop(L, 1);
  EXPECT_LE(state.memory_used(), 1024u * 1024u);
}

TEST_F(LuaTest, Sandbox_DangerousLibrariesAreAbsent) {
  start(R"(
local function absent(v) return v == nil end
local checks = {
  io = absent(io), os_execute = absent(os.execute), os_exit = absent(os.exit),
  os_getenv = absent(os.getenv), os_remove = absent(os.remove), debug = absent(debug),
  require = absent(require), package = absent(package), dofile = absent(dofile),
  loadfile = absent(loadfile), string_dump = absent(string.dump),
  binary_load = absent(load("\27Lua\84\0", "b", "b")),
  text_load = load("return 1 + 1")() == 2,
  os_time = type(os.time()) == "number",
}
sluice.on("src", function(msg) sluice.publish("out", checks) end)
)");
  ASSERT_EQ(src().emit("x", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 1; }, 5s));
  auto got = parse_object(out().recorded()[0].payload);
  ASSERT_EQ(got.size(), 14u);
  for (const auto& [name, ok] : got) EXPECT_EQ(ok, true) << name;
}

TEST_F(LuaTest, Error_HandlerErrorGoesToDeadLetterWithFileAndLine) {
  start(R"(
sluice.on("src", function(msg)
  local x = nil
  return x.field
end, { dead_letter = "dlq:errors" })
)");
  ASSERT_EQ(src().emit("boom", "k", "orig"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  ASSERT_EQ(dlq().recorded().size(), 1u);
  auto dead = dlq().recorded()[0];
  EXPECT_EQ(dead.payload, "boom");
  EXPECT_EQ(dead.subject, "errors");
  EXPECT_NE(dead.headers["sluice-error"].find("routes.lua:4:"), std::string::npos)
      << dead.headers["sluice-error"];
  EXPECT_EQ(src().nacked(), 0u);
  EXPECT_EQ(counter("sluice_route_dead_lettered_total", {{"route", "routes.lua:2"}}), 1);
}

TEST_F(LuaTest, Error_HandlerErrorWithoutDeadLetterNacks) {
  start(R"(sluice.on("src", function(msg) error("refused") end, { name = "strict" }))");
  ASSERT_EQ(src().emit("x", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().nacked() == 1; }, 5s));
  EXPECT_EQ(src().acked(), 0u);
  EXPECT_EQ(counter("sluice_script_errors_total", {{"handler", "strict"}}), 1);
  EXPECT_EQ(counter("sluice_route_failed_total", {{"route", "strict"}}), 1);
}

TEST_F(LuaTest, Error_OnRequestErrorStillAnswersTheRequester) {
  start(R"(sluice.on_request("src", function(req) error("broken agent") end))");
  ASSERT_EQ(src().emit("x", "", "s", "inbox.3"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().replies().size() == 1; }, 5s));
  EXPECT_EQ(src().replies()[0].payload, R"({"error":"script error"})");
}

TEST_F(LuaTest, Load_SyntaxErrorNamesFileAndLine) {
  script("sluice.route{ from = 'src', to = 'out' }\n\nlocal x = = 1\n");
  std::string errors = try_start();
  EXPECT_NE(errors.find("routes.lua:3:"), std::string::npos) << errors;
}

TEST_F(LuaTest, Load_BadRouteNamesScriptLine) {
  script("\nsluice.route{ from = 'src', to = 'nowhere' }\n");
  std::string errors = try_start();
  EXPECT_NE(errors.find("routes.lua:2"), std::string::npos) << errors;
  EXPECT_NE(errors.find("unknown connector 'nowhere'"), std::string::npos) << errors;
}

TEST_F(LuaTest, Load_HandlerOnUnknownConnectorIsAnError) {
  script("\n\nsluice.on('ghost:a.b', function() end)\n");
  std::string errors = try_start();
  EXPECT_NE(errors.find("routes.lua:3"), std::string::npos) << errors;
  EXPECT_NE(errors.find("ghost"), std::string::npos) << errors;
}

TEST_F(LuaTest, Load_PublishAtTopLevelAndLoopAtTopLevelFail) {
  script("sluice.publish('out', 'x')\n");
  std::string errors = try_start();
  EXPECT_NE(errors.find("only inside a handler"), std::string::npos) << errors;
  rt_.reset();
  cfg_.script_limits.instructions = 10000;
  script("\nwhile true do end\n");
  errors = try_start();
  EXPECT_NE(errors.find("instruction budget exceeded"), std::string::npos) << errors;
  EXPECT_NE(errors.find("routes.lua:2:"), std::string::npos) << errors;
  rt_.reset();
}

TEST(ScriptLimitsConfig, Config_ReadsScriptLimitsAndRejectsUnknownKeys) {
  std::vector<config::Diagnostic> errors;
  auto cfg = config::load_config_text("script_limits: { instructions: 5000, memory_mb: 16 }\n",
                                      "/tmp/x.yaml", errors);
  ASSERT_TRUE(errors.empty()) << errors.front().str();
  EXPECT_EQ(cfg.script_limits.instructions, 5000);
  EXPECT_EQ(cfg.script_limits.memory_mb, 16);
  auto defaults = config::load_config_text("node_id: a\n", "/tmp/x.yaml", errors);
  EXPECT_EQ(defaults.script_limits.instructions, 1'000'000);
  EXPECT_EQ(defaults.script_limits.memory_mb, 64);
  config::load_config_text("script_limits: { instrs: 5 }\n", "/tmp/x.yaml", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].str().find("instrs"), std::string::npos);
}

}  // namespace
}  // namespace sluice::test
