// A handler call cannot escape its budget: pcall, coroutines, pattern
// matching and library loops all end in a counted script error within a
// small bound, and the worker goes on with the next message. The script's
// top level is bounded the same way.
#include <chrono>

#include "lua_fixture.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class BudgetTest : public LuaTest {
 protected:
  void SetUp() override {
    LuaTest::SetUp();
    cfg_.workers = 1;
    cfg_.script_limits.instructions = 100000;
  }

  // Runs `body` in a handler for one message, then a harmless message:
  // the first must fail (dead-lettered with `error`, counted), soon, and
  // the second must still be routed.
  void expect_stopped(const std::string& body, const std::string& error = "budget exceeded",
                      Clock::duration bound = 5s) {
    start(R"(
sluice.on("src", function(msg)
  if msg.payload == "go" then
)" + body +
          R"(
  end
  sluice.publish("out", msg)
end, { dead_letter = "dlq", name = "hostile" })
)");
    auto started = Clock::now();
    ASSERT_EQ(src().emit("go", "k"), Status::kOk);
    ASSERT_TRUE(wait_until([&] { return dlq().recorded().size() == 1; }, 10s)) << body;
    EXPECT_LT(Clock::now() - started, bound) << body;
    EXPECT_NE(dlq().recorded()[0].headers["sluice-error"].find(error), std::string::npos)
        << dlq().recorded()[0].headers["sluice-error"];
    EXPECT_EQ(counter("sluice_script_errors_total", {{"handler", "hostile"}}), 1);
    ASSERT_EQ(src().emit("fine", "k"), Status::kOk);
    ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 1; }, 5s));
    EXPECT_EQ(out().recorded()[0].payload, "fine");
  }
};

TEST_F(BudgetTest, Budget_PcallInALoopCannotSwallowTheBudgetError) {
  expect_stopped("while true do pcall(function() while true do end end) end");
}

TEST_F(BudgetTest, Budget_NestedPcallsCannotSwallowTheBudgetError) {
  expect_stopped(R"(
while true do
  pcall(function()
    while true do pcall(function() while true do end end) end
  end)
end)");
}

TEST_F(BudgetTest, Budget_ErrorHandlerOfXpcallCannotSwallowIt) {
  expect_stopped(
      "while true do xpcall(function() while true do end end, function(e) return e end) end");
}

TEST_F(BudgetTest, Budget_ManyCoroutinesShareTheCallsBudget) {
  // Each coroutine stays under the per-call budget; together 60x over it.
  expect_stopped(R"(
for i = 1, 300 do
  local co = coroutine.create(function() for j = 1, 10000 do end end)
  assert(coroutine.resume(co))
end)");
}

TEST_F(BudgetTest, Budget_CoroutineWrapLoopsShareTheCallsBudget) {
  expect_stopped(R"(
for i = 1, 300 do coroutine.wrap(function() for j = 1, 10000 do end end)() end)");
}

TEST_F(BudgetTest, Budget_CoroutinesCaughtInPcallStillStop) {
  expect_stopped(R"(
while true do
  pcall(coroutine.wrap(function() while true do end end))
  coroutine.resume(coroutine.create(function() while true do end end))
end)");
}

TEST_F(BudgetTest, Budget_BacktrackingFindIsStopped) {
  expect_stopped(R"(string.rep("a", 3000):find("^.-.-.-b"))");
}

TEST_F(BudgetTest, Budget_BacktrackingMatchGsubAndGmatchAreStopped) {
  expect_stopped(R"(
pcall(string.match, string.rep("a", 3000), ".-.-.-b")
pcall(string.gsub, string.rep("a", 3000), ".-.-b", "")
for x in string.rep("a", 3000):gmatch("(.-)%1.-b") do end)");
}

TEST_F(BudgetTest, Budget_GsubWithAReplacementFunctionSharesTheBudget) {
  expect_stopped(R"(
local s = string.rep("ab", 5000)
while true do s:gsub("a", function(c) return c end) end)");
}

TEST_F(BudgetTest, Budget_QuadraticPlainFindIsStopped) {
  expect_stopped(R"(
local hay, needle = string.rep("a", 400000), string.rep("a", 200000) .. "b"
hay:find(needle, 1, true))");
}

TEST_F(BudgetTest, Budget_HugeTableMoveIsStopped) {
  expect_stopped("table.move({}, 1, math.maxinteger - 1, 1, {})");
}

TEST_F(BudgetTest, Budget_ShiftsOfAHugeLengthAreStopped) {
  expect_stopped(R"(
local t = setmetatable({}, { __len = function() return math.maxinteger // 2 end })
pcall(table.insert, t, 1, "x")
table.remove(t, 1))");
}

TEST_F(BudgetTest, Budget_EncodingATableSharedAtEveryLevelIsStopped) {
  // 2^60 values to write from 60 small tables.
  expect_stopped(R"(
local t = {}
for i = 1, 60 do t = { t, t } end
sluice.publish("out", t))");
}

TEST_F(BudgetTest, Budget_EmptyStringRepeatedForeverIsInstant) {
  start(R"(
sluice.on("src", function(msg)
  return string.rep("", math.maxinteger) .. string.rep("", 1e15, "") .. "done"
end, { name = "rep" })
sluice.on("src", function(msg) sluice.publish("out", string.rep("ab", 3, ",")) end)
)");
  ASSERT_EQ(src().emit("go", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  ASSERT_EQ(out().recorded().size(), 1u);
  EXPECT_EQ(out().recorded()[0].payload, "ab,ab,ab");
  EXPECT_EQ(counter("sluice_script_errors_total", {{"handler", "rep"}}), 0);
}

TEST_F(BudgetTest, Budget_SlowLibraryCallsHitTheTimeBackstop) {
  // utf8.len scans 100 kB per few instructions: the budget of 1,000,000
  // instructions would take many seconds; the backstop stops the call
  // after about 1 s (1 us per budgeted instruction). Generous bound: the
  // clock is wall time on a shared machine.
  cfg_.script_limits.instructions = 1'000'000;
  expect_stopped(R"(
local s = string.rep("a", 1e5)
while true do utf8.len(s) end)",
                 "time budget exceeded", 15s);
}

TEST_F(BudgetTest, Budget_FinalizersAreRefused) {
  // Lua runs __gc with hooks off: a looping finalizer would never stop.
  expect_stopped("setmetatable({}, { __gc = function() while true do end end })",
                 "__gc metamethods are not allowed");
}

TEST_F(BudgetTest, Budget_BudgetSpansTheResumesOfARequest) {
  // 60% of the budget before and after sluice.request: over it in total.
  start(R"(
local function spin() for i = 1, 60000 do end end
sluice.on("src", function(msg)
  spin()
  sluice.request("out", "ping")
  spin()
  sluice.publish("out", msg)
end, { dead_letter = "dlq", name = "waiting" })
)");
  ASSERT_EQ(src().emit("go", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return dlq().recorded().size() == 1; }, 5s));
  EXPECT_NE(dlq().recorded()[0].headers["sluice-error"].find("budget exceeded"), std::string::npos);
}

TEST_F(BudgetTest, Load_TopLevelLoopInsidePcallFailsTheLoad) {
  script("\n\nwhile true do pcall(function() while true do end end) end\n");
  auto started = Clock::now();
  std::string errors = try_start();
  EXPECT_LT(Clock::now() - started, 5s);
  EXPECT_NE(errors.find("instruction budget exceeded"), std::string::npos) << errors;
  EXPECT_NE(errors.find("routes.lua:3:"), std::string::npos) << errors;
  rt_.reset();
}

TEST_F(BudgetTest, Load_TopLevelPatternBombFailsTheLoad) {
  script("local _ = string.rep('a', 3000):find('^.-.-.-b')\n");
  std::string errors = try_start();
  EXPECT_NE(errors.find("routes.lua:1: instruction budget exceeded"), std::string::npos) << errors;
  rt_.reset();
}

// One call cannot change what the next sees.

TEST_F(LuaTest, Isolation_StringMetatableIsHidden) {
  cfg_.workers = 1;
  start(R"(
sluice.on("src", function(msg)
  if msg.payload == "tamper" then getmetatable("").__index = {} end
  sluice.publish("out", msg.payload:upper())
end, { dead_letter = "dlq", name = "strings" })
)");
  ASSERT_EQ(src().emit("tamper", "k"), Status::kOk);
  ASSERT_EQ(src().emit("fine", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 2; }, 5s));
  ASSERT_EQ(dlq().recorded().size(), 1u);
  EXPECT_EQ(dlq().recorded()[0].payload, "tamper");
  ASSERT_EQ(out().recorded().size(), 1u);
  EXPECT_EQ(out().recorded()[0].payload, "FINE");
}

TEST_F(LuaTest, Isolation_LibraryTablesAreReadOnlyInHandlers) {
  cfg_.workers = 1;
  start(R"(
local attempts = {
  function() string.upper = function() return "evil" end end,
  function() rawset(string, "upper", function() return "evil" end) end,
  function() table.insert(math, 1) end,
  function() sluice.publish = nil end,
  function() sluice.json.encode = nil end,
  function() setmetatable(os, nil) end,
}
sluice.on("src", function(msg)
  local refused = 0
  for _, attempt in ipairs(attempts) do
    if not pcall(attempt) then refused = refused + 1 end
  end
  sluice.publish("out", refused .. " " .. string.upper("x") .. ("y"):upper() ..
                        tostring(rawget(string, "upper") == string.upper))
end)
)");
  ASSERT_EQ(src().emit("a", "k"), Status::kOk);
  ASSERT_EQ(src().emit("b", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 2; }, 5s));
  EXPECT_EQ(out().recorded()[0].payload, "6 XYtrue");
  EXPECT_EQ(out().recorded()[1].payload, "6 XYtrue");
}

TEST_F(LuaTest, Isolation_GlobalsAndTopLevelLibraryExtensionsStillWork) {
  cfg_.workers = 1;
  start(R"(
function string.trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end
local names = {}
for name in pairs(string) do names[#names + 1] = name end
table.sort(names)
seen = 0
sluice.on("src", function(msg)
  seen = seen + 1
  sluice.publish("out", seen .. ":" .. ("  " .. msg.payload .. " "):trim() .. ":" ..
                        tostring(#names > 10))
end)
)");
  ASSERT_EQ(src().emit("a", "k"), Status::kOk);
  ASSERT_EQ(src().emit("b", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 2; }, 5s));
  EXPECT_EQ(out().recorded()[0].payload, "1:a:true");
  EXPECT_EQ(out().recorded()[1].payload, "2:b:true");
}

}  // namespace
}  // namespace sluice::test
