// msg:set and msg:with_payload in handlers through the real pipeline: the
// changes reach publish and replies, never the message other routes see.
#include "lua_fixture.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

TEST_F(LuaTest, Set_PublishSendsTheChangedPayloadAndOtherHandlersSeeTheOriginal) {
  start(R"(
sluice.on("src", function(msg)
  sluice.publish("out", msg:set("data.routed", "yes"):set("data.SPEED", nil))
end)
sluice.on("src", function(msg)
  sluice.publish("dlq", msg.payload .. "|" .. tostring(msg:get("data.routed")))
end)
)");
  ASSERT_EQ(src().emit(R"({"data":{"ID":"d1","SPEED":"1.0"}})", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  ASSERT_EQ(out().recorded().size(), 1u);
  EXPECT_EQ(out().recorded()[0].payload, R"({"data":{"ID":"d1","routed":"yes"}})");
  EXPECT_EQ(out().recorded()[0].key, "k");
  ASSERT_EQ(dlq().recorded().size(), 1u);
  EXPECT_EQ(dlq().recorded()[0].payload, R"({"data":{"ID":"d1","SPEED":"1.0"}}|nil)");
}

TEST_F(LuaTest, Set_AfterPublishChangesACopyNotWhatWasPublished) {
  start(R"(
sluice.on("src", function(msg)
  msg:set("n", 1)
  sluice.publish("out", msg)
  msg:set("n", 2)
  sluice.publish("out", msg)
end)
)");
  ASSERT_EQ(src().emit(R"({"n":0})", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  auto got = out().recorded();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].payload, R"({"n":1})");
  EXPECT_EQ(got[1].payload, R"({"n":2})");
}

TEST_F(LuaTest, Set_OnRequestReturningTheMessageRepliesWithTheChange) {
  start(R"(
sluice.on_request("src", function(req) return req:set("answered", true) end)
)");
  ASSERT_EQ(src().emit(R"({"q":1})", "", "s", "inbox.1"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().replies().size() == 1; }, 5s));
  EXPECT_EQ(src().replies()[0].payload, R"({"q":1,"answered":true})");
}

TEST_F(LuaTest, Set_OnAPayloadThatIsNotJsonFailsTheMessageLikeAnyHandlerError) {
  start(R"(
sluice.on("src", function(msg) sluice.publish("out", msg:set("a", 1)) end,
          { name = "setter", dead_letter = "dlq" })
)");
  ASSERT_EQ(src().emit("plain text", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  EXPECT_TRUE(out().recorded().empty());
  ASSERT_EQ(dlq().recorded().size(), 1u);
  EXPECT_EQ(dlq().recorded()[0].payload, "plain text");
  EXPECT_NE(dlq().recorded()[0].headers["sluice-error"].find(
                "routes.lua:2: msg:set(\"a\"): payload is not JSON"),
            std::string::npos)
      << dlq().recorded()[0].headers["sluice-error"];
  EXPECT_EQ(counter("sluice_script_errors_total", {{"handler", "setter"}}), 1);
}

TEST_F(LuaTest, WithPayload_PublishesANewPayloadWithTheMessagesKeyAndHeaders) {
  start(R"(
sluice.on("src", function(msg)
  sluice.publish("out", msg:with_payload({ id = msg:get("id"), seen = true }))
  sluice.publish("dlq", msg)
end)
)");
  LuaEmit e;
  e.payload = R"({"id":"x1","big":"..."})";
  e.key = "k9";
  e.subject = "in.sub";
  e.headers = {{"trace", "t1"}};
  ASSERT_EQ(src().emit_message(e), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  ASSERT_EQ(out().recorded().size(), 1u);
  auto got = out().recorded()[0];
  EXPECT_EQ(parse_object(got.payload), parse_object(R"({"id":"x1","seen":true})"));
  EXPECT_EQ(got.key, "k9");
  EXPECT_EQ(got.subject, "in.sub");
  EXPECT_EQ(got.headers["trace"], "t1");
  ASSERT_EQ(dlq().recorded().size(), 1u);
  EXPECT_EQ(dlq().recorded()[0].payload, e.payload);
}

}  // namespace
}  // namespace sluice::test
