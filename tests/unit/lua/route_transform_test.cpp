// Native route transforms (YAML and sluice.route) through the real
// pipeline: applied on the route's own copy, read by throttle and `to`,
// failing like `where` on payloads that are not JSON.
#include "lua_fixture.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

TEST_F(LuaTest, Transform_YamlRouteChangesItsCopyOnly) {
  config::RouteConfig yaml;
  yaml.spec = parse_object(R"({"name":"shaped","from":"src","to":"out:dev.${device}",
    "transform":{"rename":{"data.DEVICE_ID":"device"},
                 "set":{"via":"${node_id}","data.subject":"${subject}"},
                 "remove":["data.secret"]}})");
  config::RouteConfig plain;
  plain.spec = parse_object(R"({"name":"plain","from":"src","to":"dlq"})");
  cfg_.routes = {yaml, plain};
  start("-- no handlers\n");
  ASSERT_EQ(src().emit(R"({"data":{"DEVICE_ID":"d7","secret":"s","v":1}})", "k", "in"),
            Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  ASSERT_EQ(out().recorded().size(), 1u);
  EXPECT_EQ(out().recorded()[0].payload,
            R"({"data":{"v":1,"subject":"in"},"device":"d7","via":"test-node"})");
  EXPECT_EQ(out().recorded()[0].subject, "dev.d7");  // `to` reads the transformed message
  ASSERT_EQ(dlq().recorded().size(), 1u);
  EXPECT_EQ(dlq().recorded()[0].payload, R"({"data":{"DEVICE_ID":"d7","secret":"s","v":1}})");
}

TEST_F(LuaTest, Transform_DeclaredInLuaRunsNatively) {
  start(R"(
sluice.route{ name = "tag", from = "src", where = { ["kind"] = "a" },
              transform = { set = { tagged = true, ["meta.by"] = "${source}" } }, to = "out" }
sluice.on("src", function(msg) sluice.publish("dlq", msg) end)
)");
  ASSERT_EQ(src().emit(R"({"kind":"a"})", "k"), Status::kOk);
  ASSERT_EQ(src().emit(R"({"kind":"b"})", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 2; }, 5s));
  ASSERT_EQ(out().recorded().size(), 1u);
  // (A Lua table has no order: compare as JSON.)
  EXPECT_EQ(parse_object(out().recorded()[0].payload),
            parse_object(R"({"kind":"a","tagged":true,"meta":{"by":"src"}})"));
  auto seen_by_handler = dlq().recorded();
  ASSERT_EQ(seen_by_handler.size(), 2u);
  EXPECT_EQ(seen_by_handler[0].payload, R"({"kind":"a"})");
}

TEST_F(LuaTest, Transform_NotJsonGoesToTheDeadLetterLikeWhere) {
  start(R"(
sluice.route{ name = "with-dl", from = "src", transform = { set = { x = 1 } }, to = "out",
              dead_letter = "dlq" }
sluice.route{ name = "without", from = "src", transform = { remove = { "x" } }, to = "out" }
)");
  ASSERT_EQ(src().emit("not json", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  EXPECT_TRUE(out().recorded().empty());
  ASSERT_EQ(dlq().recorded().size(), 1u);
  EXPECT_EQ(dlq().recorded()[0].payload, "not json");
  EXPECT_EQ(dlq().recorded()[0].headers["sluice-error"].rfind("payload is not JSON", 0), 0u);
  EXPECT_EQ(counter("sluice_route_parse_errors_total", {{"route", "with-dl"}}), 1);
  EXPECT_EQ(counter("sluice_route_dead_lettered_total", {{"route", "with-dl"}}), 1);
  EXPECT_EQ(counter("sluice_route_parse_errors_total", {{"route", "without"}}), 1);
  EXPECT_EQ(counter("sluice_route_filtered_total", {{"route", "without"}}), 1);
}

TEST_F(LuaTest, Transform_ThatCannotApplyIsDeadLetteredWithTheReason) {
  start(R"(
sluice.route{ name = "r", from = "src", transform = { set = { ["data.x"] = 1 } }, to = "out",
              dead_letter = "dlq" }
)");
  ASSERT_EQ(src().emit(R"({"data":"text"})", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 1; }, 5s));
  EXPECT_TRUE(out().recorded().empty());
  ASSERT_EQ(dlq().recorded().size(), 1u);
  EXPECT_EQ(dlq().recorded()[0].headers["sluice-error"],
            "transform: set data.x: data is a string, not an object");
  EXPECT_EQ(counter("sluice_route_parse_errors_total", {{"route", "r"}}), 0);
}

TEST_F(LuaTest, Transform_ThrottleKeyReadsTheTransformedMessage) {
  cfg_.workers = 1;
  start(R"(
sluice.route{ name = "t", from = "src", transform = { rename = { id = "device" } },
              throttle = { key = "device", rate = 0.001, burst = 1 }, to = "out" }
)");
  // Two devices, two messages each: one passes per device only if the key
  // is read after the rename (before it, every key would be "").
  for (const char* p : {R"({"id":"a"})", R"({"id":"b"})", R"({"id":"a"})", R"({"id":"b"})"})
    ASSERT_EQ(src().emit(p, "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src().acked() == 4; }, 5s));
  auto got = out().recorded();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].payload, R"({"device":"a"})");
  EXPECT_EQ(got[1].payload, R"({"device":"b"})");
}

TEST_F(LuaTest, Transform_BadSpecIsAScriptErrorWithFileAndLine) {
  script("\n\nsluice.route{ from = 'src', to = 'out', transform = { sett = {} } }\n");
  std::string errors = try_start();
  EXPECT_NE(errors.find("routes.lua:3: route 'route-1'.transform.sett: unknown key 'sett' "
                        "(expected rename, set, remove)"),
            std::string::npos)
      << errors;
}

}  // namespace
}  // namespace sluice::test
