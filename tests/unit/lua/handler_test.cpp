// Script handlers through the real pipeline: the message API, publish,
// filtering, native routes declared in Lua, request/reply.
#include <thread>

#include "lua_fixture.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

TEST_F(LuaTest, Route_DeclaredInLuaFiltersNativelyLikeYaml) {
  start(R"(
sluice.route{ name = "only-on", from = "src", where = { ["data.ENGINE"] = "ON" }, to = "out:moving" }
)");
  ASSERT_EQ(src().emit(R"({"data":{"ENGINE":"ON"}})", "k1"), Status::kOk);
  ASSERT_EQ(src().emit(R"({"data":{"ENGINE":"OFF"}})", "k2"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 2; }, 5s));
  auto got = out().recorded();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, R"({"data":{"ENGINE":"ON"}})");
  EXPECT_EQ(got[0].subject, "moving");
  EXPECT_EQ(counter("sluice_route_filtered_total", {{"route", "only-on"}}), 1);
}

TEST_F(LuaTest, Route_MergesWithYamlRoutes) {
  config::RouteConfig yaml;
  yaml.spec = parse_object(R"({"name":"from-yaml","from":"src","to":"dlq"})");
  cfg_.routes = {yaml};
  start(R"(sluice.route{ from = "src", to = "out" })");
  ASSERT_EQ(src().emit("x", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  EXPECT_EQ(out().recorded().size(), 1u);
  EXPECT_EQ(dlq().recorded().size(), 1u);
}

TEST_F(LuaTest, Route_OutputGroupHelpersBuildTheYamlForms) {
  start(R"(
sluice.route{ from = "src:a", to = sluice.fanout{ "out", "dlq" } }
sluice.route{ from = "src:b", to = sluice.round_robin{ "out", "dlq" } }
)");
  ASSERT_EQ(src().emit("fan", "k", "a"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  EXPECT_EQ(out().recorded().size(), 1u);
  EXPECT_EQ(dlq().recorded().size(), 1u);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(src().emit("rr", "k", "b"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 5; }, 5s));
  EXPECT_EQ(out().recorded().size(), 3u);  // 1 + 2 of the 4 alternating
  EXPECT_EQ(dlq().recorded().size(), 3u);
}

TEST_F(LuaTest, Message_FieldsAndLazyPathLookup) {
  start(R"(
sluice.on("src", function(msg)
  sluice.publish("out", {
    payload = msg.payload, key = msg.key, subject = msg.subject, source = msg.source,
    trace = msg.headers["trace-id"], header = msg:header("trace-id"),
    ts_is_int = math.type(msg.timestamp) == "integer" and msg.timestamp > 0,
    second_id = msg:get("data.items[1].id"), missing = msg:get("data.nope") == nil,
    deep = msg:get("data.items[0]").id, reply_to = msg.reply_to == nil,
  })
end)
)");
  LuaEmit e;
  e.payload = R"({"data":{"items":[{"id":"a"},{"id":"b"}]}})";
  e.key = "dev-1";
  e.subject = "tracking.data";
  e.headers = {{"trace-id", "t-9"}};
  ASSERT_EQ(src().emit_message(e), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 1; }, 5s));
  auto got = parse_object(out().recorded()[0].payload);
  EXPECT_EQ(got["payload"], boost::json::value(e.payload));
  EXPECT_EQ(got["key"], "dev-1");
  EXPECT_EQ(got["subject"], "tracking.data");
  EXPECT_EQ(got["source"], "src");
  EXPECT_EQ(got["trace"], "t-9");
  EXPECT_EQ(got["header"], "t-9");
  EXPECT_EQ(got["ts_is_int"], true);
  EXPECT_EQ(got["second_id"], "b");
  EXPECT_EQ(got["missing"], true);
  EXPECT_EQ(got["deep"], "a");
  EXPECT_EQ(got["reply_to"], true);
  EXPECT_EQ(out().recorded()[0].headers["content-type"], "application/json");
}

TEST_F(LuaTest, Message_JsonDecodesAndJsonModuleRoundTrips) {
  start(R"(
sluice.on("src", function(msg)
  local doc = msg:json()
  local back = sluice.json.decode(sluice.json.encode({ list = { 1, 2.5, "x", true } }))
  local whole = sluice.json.encode({ 130.0 })
  local numbers = sluice.json.encode({ 119.97, 12.5, 1e21, 0.1, -0.5e-9 })
  local bad, why = sluice.json.decode("{nope")
  sluice.publish("out", sluice.json.encode({
    speed = doc.data.speed, n = #doc.data.list, null_is_sentinel = doc.data.gone == sluice.json.null,
    back = back.list[2], bad = bad == nil, why = why ~= nil, whole = whole, numbers = numbers,
  }))
end)
)");
  ASSERT_EQ(src().emit(R"({"data":{"speed":42,"list":[1,2,3],"gone":null}})", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 1; }, 5s));
  auto got = parse_object(out().recorded()[0].payload);
  EXPECT_EQ(got["speed"], 42);
  EXPECT_EQ(got["n"], 3);
  EXPECT_EQ(got["null_is_sentinel"], true);
  EXPECT_EQ(got["back"], 2.5);
  EXPECT_EQ(got["bad"], true);
  EXPECT_EQ(got["why"], true);
  EXPECT_EQ(got["whole"], "[130]");
  // Numbers as people write them, not Boost's 1.1997E2.
  EXPECT_EQ(got["numbers"], "[119.97,12.5,1e+21,0.1,-5e-10]");
}

TEST_F(LuaTest, Message_NotJsonGivesNilAndReason) {
  start(R"(
sluice.on("src", function(msg)
  local doc, why = msg:json()
  sluice.publish("out", tostring(msg:get("a")) .. "|" .. tostring(doc) .. "|" .. tostring(why ~= nil))
end)
)");
  ASSERT_EQ(src().emit("not json", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 1; }, 5s));
  EXPECT_EQ(out().recorded()[0].payload, "nil|nil|true");
}

TEST_F(LuaTest, Message_IsReadOnlyAndExpiresAfterItsCall) {
  cfg_.workers = 1;
  start(R"(
local kept
sluice.on("src", function(msg)
  if kept then
    local ok, err = pcall(function() return kept.payload end)
    sluice.publish("out", tostring(ok) .. ":" .. tostring(err):match("handler has returned") )
    return
  end
  kept = msg
  local ok = pcall(function() msg.payload = "changed" end)
  sluice.publish("out", "write:" .. tostring(ok))
end)
)");
  ASSERT_EQ(src().emit("one", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 1; }, 5s));
  ASSERT_EQ(src().emit("two", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 2; }, 5s));
  EXPECT_EQ(out().recorded()[0].payload, "write:false");
  EXPECT_EQ(out().recorded()[1].payload, "false:handler has returned");
}

TEST_F(LuaTest, On_MatchesSubjectPatternsLikeRoutes) {
  start(R"(
sluice.on("src:sensors.*.temp", function(msg) sluice.publish("out", msg) end)
)");
  ASSERT_EQ(src().emit("a", "k", "sensors.k1.temp"), Status::kOk);
  ASSERT_EQ(src().emit("b", "k", "sensors.k1.humidity"), Status::kOk);
  ASSERT_EQ(src().emit("c", "k", "sensors.k2.temp"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 3; }, 5s));
  auto got = out().recorded();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].payload, "a");
  EXPECT_EQ(got[0].subject, "sensors.k1.temp");  // a published message keeps its subject
  EXPECT_EQ(got[1].payload, "c");
  EXPECT_EQ(counter("sluice_unrouted_total", {}), 1);
}

TEST_F(LuaTest, Publish_OptionsSetKeySubjectAndHeaders) {
  start(R"(
sluice.on("src", function(msg)
  sluice.publish("out:fixed", msg)
  sluice.publish("out", msg, { key = "k2", subject = "chosen", headers = { routed = "yes" } })
  sluice.publish("out", "plain text")
end)
)");
  ASSERT_EQ(src().emit("payload", "k1", "orig"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 3; }, 5s));
  auto got = out().recorded();
  EXPECT_EQ(got[0].subject, "fixed");
  EXPECT_EQ(got[0].key, "k1");
  EXPECT_EQ(got[1].subject, "chosen");
  EXPECT_EQ(got[1].key, "k2");
  EXPECT_EQ(got[1].payload, "payload");
  EXPECT_EQ(got[1].headers["routed"], "yes");
  EXPECT_EQ(got[2].payload, "plain text");
  EXPECT_EQ(got[2].subject, "orig");
}

TEST_F(LuaTest, Publish_FailedOutputNacksTheSourceAfterRetries) {
  start(R"(sluice.on("src", function(msg) sluice.publish("broken", msg) end))");
  ASSERT_EQ(src().emit("x", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().nacked() == 1; }, 5s));
  EXPECT_EQ(src().acked(), 0u);
}

TEST_F(LuaTest, Publish_FailedOutputGoesToHandlerDeadLetter) {
  start(
      R"(sluice.on("src", function(msg) sluice.publish("broken", msg) end, { dead_letter = "dlq" }))");
  ASSERT_EQ(src().emit("x", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  ASSERT_EQ(dlq().recorded().size(), 1u);
  EXPECT_EQ(dlq().recorded()[0].headers["sluice-failed-output"], "broken");
}

TEST_F(LuaTest, On_ReturningNothingWithoutPublishingCountsAsFiltered) {
  start(R"(
sluice.on("src", function(msg)
  if msg:get("speed") ~= "0.00" then sluice.publish("out", msg) end
end, { name = "moving" })
)");
  ASSERT_EQ(src().emit(R"({"speed":"0.00"})", "a"), Status::kOk);
  ASSERT_EQ(src().emit(R"({"speed":"3.10"})", "b"), Status::kOk);
  ASSERT_EQ(src().emit(R"({"speed":"0.00"})", "c"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 3; }, 5s));
  EXPECT_EQ(out().recorded().size(), 1u);
  EXPECT_EQ(counter("sluice_route_filtered_total", {{"route", "moving"}}), 2);
  EXPECT_EQ(counter("sluice_route_matched_total", {{"route", "moving"}}), 3);
}

TEST_F(LuaTest, OnRequest_ReturnedTableIsTheJsonReply) {
  start(R"(
sluice.on_request("src:agent.api", function(req)
  return { status = "ok", node = sluice.node_id, echo = req:get("command") }
end)
)");
  ASSERT_EQ(src().emit(R"({"command":"ping"})", "", "agent.api", "inbox.7"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().replies().size() == 1; }, 5s));
  auto r = src().replies()[0];
  EXPECT_EQ(r.reply_to, "inbox.7");
  auto body = parse_object(r.payload);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["node"], "test-node");
  EXPECT_EQ(body["echo"], "ping");
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
}

TEST_F(LuaTest, OnRequest_StringReplyAndNonRequestsIgnored) {
  start(R"(sluice.on_request("src", function(req) return "pong:" .. req.payload end))");
  ASSERT_EQ(src().emit("a", "", "s", "inbox.1"), Status::kOk);
  ASSERT_EQ(src().emit("b", "", "s", ""), Status::kOk);  // not a request
  ASSERT_TRUE(wait_until([&] { return src().acked() == 2; }, 5s));
  auto replies = src().replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].payload, "pong:a");
}

TEST_F(LuaTest, OnRequest_SecondReturnValueGivesTheReplyHeaders) {
  start(R"(
sluice.on_request("src:created", function(req)
  return { id = 7 }, { ["http-status"] = 201, ["x-id"] = "7" }
end)
sluice.on_request("src:missing", function(req)
  return "", { ["http-status"] = "404", ["content-type"] = "text/plain" }
end)
sluice.on_request("src:bad", function(req) return "x", { "not", "named" } end)
)");
  ASSERT_EQ(src().emit("{}", "", "created", "r1"), Status::kOk);
  ASSERT_EQ(src().emit("{}", "", "missing", "r2"), Status::kOk);
  ASSERT_EQ(src().emit("{}", "", "bad", "r3"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().replies().size() == 3; }, 5s));
  std::map<std::string, LuaRecorded> by_handle;
  for (auto& r : src().replies()) by_handle[r.reply_to] = r;
  EXPECT_EQ(by_handle["r1"].payload, R"({"id":7})");
  EXPECT_EQ(by_handle["r1"].headers["http-status"], "201");
  EXPECT_EQ(by_handle["r1"].headers["x-id"], "7");
  EXPECT_EQ(by_handle["r1"].headers["content-type"], "application/json");
  // An empty body with headers is still a reply, typed as the handler says.
  EXPECT_EQ(by_handle["r2"].payload, "");
  EXPECT_EQ(by_handle["r2"].headers["http-status"], "404");
  EXPECT_EQ(by_handle["r2"].headers["content-type"], "text/plain");
  // Headers that are not name -> text fail the handler: the error reply.
  EXPECT_EQ(by_handle["r3"].payload, R"({"error":"script error"})");
}

TEST_F(LuaTest, Log_AndNodeIdAvailable) {
  start(R"(
sluice.log("info", "loaded on " .. sluice.node_id)
print("print goes to the log too")
sluice.on("src", function(msg) sluice.publish("out", sluice.node_id) end)
)");
  ASSERT_EQ(src().emit("x", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 1; }, 5s));
  EXPECT_EQ(out().recorded()[0].payload, "test-node");
}

}  // namespace
}  // namespace sluice::test
