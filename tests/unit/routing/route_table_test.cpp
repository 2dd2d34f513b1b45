#include "routing/route_table.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::routing {
namespace {

using Ids = std::vector<RouteTable::RouteId>;

CompiledRoute route(std::string_view json) {
  std::vector<std::string> errors;
  auto r = compile_route(boost::json::parse(json), {}, "r", errors);
  EXPECT_TRUE(r) << (errors.empty() ? "" : errors.front());
  return std::move(*r);
}

Ids match(const RouteTable& t, std::string_view connector, std::string_view subject) {
  Ids out;
  t.match(connector, subject, out);
  return out;
}

TEST(RouteTable, FindsRoutesByConnectorAndSubjectInDeclarationOrder) {
  RouteTable t;
  t.add(route(R"({"from": "kafka:tracking.*", "to": "a"})"));     // 0
  t.add(route(R"({"from": "kafka", "to": "b"})"));                // 1
  t.add(route(R"({"from": "nats:tracking.data", "to": "c"})"));   // 2
  t.add(route(R"({"from": "kafka:tracking.data", "to": "d"})"));  // 3
  t.add(route(R"({"from": "kafka:other", "to": "e"})"));          // 4
  EXPECT_EQ(match(t, "kafka", "tracking.data"), (Ids{0, 1, 3}));
  EXPECT_EQ(match(t, "kafka", "other"), (Ids{1, 4}));
  EXPECT_EQ(match(t, "nats", "tracking.data"), Ids{2});
  EXPECT_EQ(match(t, "nats", "tracking.x"), Ids{});
  EXPECT_EQ(match(t, "redis", "tracking.data"), Ids{});
  EXPECT_EQ(t.route(3).to.targets()[0].connector, "d");
}

TEST(RouteTable, RouteWithSeveralMatchingSourcesIsReportedOnce) {
  RouteTable t;
  t.add(route(R"({"from": ["a", "a:x.*", "a:x.y", "b:#"], "to": "o"})"));
  EXPECT_EQ(match(t, "a", "x.y"), Ids{0});
  EXPECT_EQ(match(t, "b", "q"), Ids{0});
}

TEST(RouteTable, MergedSourcesFeedOneRoute) {
  RouteTable t;
  t.add(route(R"({"from": ["east:orders.>", "west:orders.>"], "to": "o",
                  "dedup": {"key": "id", "window_ms": 1000}})"));
  EXPECT_EQ(match(t, "east", "orders.1"), Ids{0});
  EXPECT_EQ(match(t, "west", "orders.1"), Ids{0});
}

TEST(RouteTable, AppendsToWhatIsAlreadyInTheOutput) {
  RouteTable t;
  t.add(route(R"({"from": "a", "to": "o"})"));
  Ids out{42};
  t.match("a", "s", out);
  EXPECT_EQ(out, (Ids{42, 0}));
}

TEST(RouteTable, SubscriptionsListDistinctPatternsPerConnector) {
  RouteTable t;
  t.add(route(R"({"from": ["nats:a.*", "nats:b.>"], "to": "o"})"));
  t.add(route(R"({"from": ["nats:a.*", "kafka"], "to": "o"})"));
  auto subs = t.subscriptions();
  EXPECT_EQ(subs["nats"], (std::vector<std::string>{"a.*", "b.>"}));
  EXPECT_TRUE(subs.count("kafka"));
  EXPECT_TRUE(subs["kafka"].empty());
}

TEST(RouteTable, ManyRoutesStillMatchExactly) {
  RouteTable t;
  for (int i = 0; i < 1000; ++i)
    t.add(route(R"({"from": "k:dev.)" + std::to_string(i) + R"(.*", "to": "o"})"));
  t.add(route(R"({"from": "k:dev.>", "to": "o"})"));
  EXPECT_EQ(match(t, "k", "dev.500.temp"), (Ids{500, 1000}));
}

TEST(RouteTable, RoutesListThePayloadPathsTheyReadOnce) {
  RouteTable t;
  auto id = t.add(route(R"({"from": "k", "where": {"data.ENGINE_STATUS": "ON", "subject": "x"},
                            "to": "ws:devices/${data.DEVICE_ID}/${subject}",
                            "throttle": {"key": "data.DEVICE_ID", "rate": 1},
                            "dedup": {"key": "uuid", "window_ms": 10}})"));
  std::vector<std::string> texts;
  for (const JsonPath* p : t.route(id).payload_paths) texts.push_back(p->text());
  EXPECT_EQ(texts, (std::vector<std::string>{"data.ENGINE_STATUS", "data.DEVICE_ID", "uuid"}));
}

TEST(RouteTable, PlannedRoutePathsAreReadInOneValidatingPass) {
  RouteTable t;
  auto id = t.add(route(R"({"from": "k", "where": {"data.ENGINE_STATUS": "ON"},
                            "to": "ws:devices/${data.DEVICE_ID}"})"));
  const CompiledRoute& r = t.route(id);
  message::Envelope m;
  m.payload = R"({"data": {"ENGINE_STATUS": "ON", "DEVICE_ID": "d1"}})";
  PayloadScan scan;
  scan.plan(r.payload_paths);
  MessageContext ctx{m, "k", "n", &scan};
  EXPECT_EQ(r.where.evaluate(ctx), Verdict::kMatch);
  std::string subject;
  EXPECT_TRUE(r.to.targets()[0].subject.render(ctx, subject).complete());
  EXPECT_EQ(subject, "devices/d1");
}

}  // namespace
}  // namespace sluice::routing
