// sluice.request: the handler waits for the reply as a coroutine, the
// worker goes on, and the source is acked only after the handler finished.
#include <thread>

#include "lua_fixture.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

TEST_F(LuaTest, Request_ReplyResumesTheHandler) {
  start(R"(
sluice.on("src", function(msg)
  local reply, err = sluice.request("out:svc", msg.payload, { timeout_ms = 500 })
  sluice.publish("dlq", reply and ("got " .. reply.payload .. " on " .. reply.subject) or err)
  local second = sluice.request("out:svc", { n = 2 })
  sluice.publish("dlq", second.payload)
end)
)");
  ASSERT_EQ(src().emit("ping", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return dlq().recorded().size() == 2; }, 5s));
  EXPECT_EQ(dlq().recorded()[0].payload, "got reply:ping on svc");
  EXPECT_EQ(dlq().recorded()[1].payload, R"(reply:{"n":2})");
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  EXPECT_EQ(src().nacked(), 0u);
}

TEST_F(LuaTest, Request_FailureGivesNilAndTheError) {
  start(R"(
sluice.on("src", function(msg)
  local reply, err = sluice.request("broken", "x", { timeout_ms = 20 })
  sluice.publish("out", tostring(reply) .. "|" .. err)
end)
)");
  ASSERT_EQ(src().emit("x", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 1; }, 5s));
  EXPECT_EQ(out().recorded()[0].payload, "nil|no answer within 20 ms");
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
}

TEST_F(LuaTest, Request_ManyWaitingHandlersKeepEveryMessage) {
  cfg_.workers = 1;
  start(R"(
sluice.on("src", function(msg)
  local reply = sluice.request("out:svc", msg.payload)
  sluice.publish("dlq", reply.payload)
end)
)");
  constexpr int kMessages = 300;
  for (int i = 0; i < kMessages; ++i)
    ASSERT_EQ(src().emit(std::to_string(i), "k" + std::to_string(i)), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == kMessages; }, 10s));
  EXPECT_EQ(dlq().recorded().size(), static_cast<size_t>(kMessages));
}

TEST_F(LuaTest, Request_ErrorAfterResumeStillFailsTheMessage) {
  start(R"(
sluice.on("src", function(msg)
  sluice.request("out:svc", "x")
  error("after the reply")
end, { dead_letter = "dlq" })
)");
  ASSERT_EQ(src().emit("x", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return dlq().recorded().size() == 1; }, 5s));
  EXPECT_NE(dlq().recorded()[0].headers["sluice-error"].find("after the reply"), std::string::npos);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
}

TEST_F(LuaTest, Request_InsideAScriptCoroutineIsRefusedNotMixedUp) {
  start(R"(
sluice.on("src", function(msg)
  local ok, err = coroutine.resume(coroutine.create(function()
    return sluice.request("out:svc", "x")
  end))
  sluice.publish("dlq", tostring(ok) .. "|" .. tostring(err):match("not inside a coroutine the script created"))
end)
)");
  ASSERT_EQ(src().emit("x", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  ASSERT_EQ(dlq().recorded().size(), 1u);
  EXPECT_EQ(dlq().recorded()[0].payload, "false|not inside a coroutine the script created");
}

TEST_F(LuaTest, Request_OutsideAHandlerIsRefused) {
  script("sluice.request('out', 'x')\n");
  std::string errors = try_start();
  EXPECT_NE(errors.find("only inside a handler"), std::string::npos) << errors;
}

}  // namespace
}  // namespace sluice::test
