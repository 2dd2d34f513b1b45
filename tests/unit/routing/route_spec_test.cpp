#include "routing/route_spec.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "message_builder.hpp"

namespace sluice::routing {
namespace {

using test::kTrackingEvent;
using test::make_message;

CompiledRoute compile(std::string_view json, const RouteCompileOptions& options = {}) {
  std::vector<std::string> errors;
  auto r = compile_route(boost::json::parse(json), options, "routes[0]", errors);
  EXPECT_TRUE(r) << (errors.empty() ? "" : errors.front());
  EXPECT_TRUE(errors.empty());
  return r ? std::move(*r) : CompiledRoute{};
}

std::vector<std::string> errors_of(std::string_view json, const RouteCompileOptions& options = {}) {
  std::vector<std::string> errors;
  EXPECT_FALSE(compile_route(boost::json::parse(json), options, "routes[0]", errors)) << json;
  return errors;
}

void expect_error(std::string_view json, std::string_view expected,
                  const RouteCompileOptions& options = {}) {
  auto errors = errors_of(json, options);
  ASSERT_FALSE(errors.empty());
  bool found = false;
  for (const auto& e : errors) found |= e.find(expected) != std::string::npos;
  EXPECT_TRUE(found) << "no error containing '" << expected << "'; got: " << errors.front();
}

TEST(RouteSpec, TheIssueExampleCompiles) {
  auto r = compile(R"({
    "name": "moving",
    "from": "kafka:tracking.data",
    "where": {"data.ENGINE_STATUS": "ON"},
    "to": "ws:devices/${data.DEVICE_ID}",
    "throttle": {"key": "data.DEVICE_ID", "rate": 10, "burst": 5, "keep_latest": true}
  })");
  EXPECT_EQ(r.name, "moving");
  ASSERT_EQ(r.from.size(), 1u);
  EXPECT_EQ(r.from[0].connector, "kafka");
  ASSERT_TRUE(r.from[0].pattern);
  EXPECT_TRUE(r.from[0].pattern->matches("tracking.data"));
  EXPECT_EQ(r.to.policy(), OutputPolicy::kFanout);
  ASSERT_EQ(r.to.targets().size(), 1u);
  EXPECT_EQ(r.to.targets()[0].connector, "ws");
  EXPECT_TRUE(r.to.targets()[0].has_subject);

  auto m = make_message(kTrackingEvent, "tracking.data");
  MessageContext ctx{*m, "kafka", "node-1"};
  EXPECT_TRUE(r.where.matches(ctx));
  std::string subject;
  r.to.targets()[0].subject.render(ctx, subject);
  EXPECT_EQ(subject, "devices/0848086123");

  ASSERT_TRUE(r.throttle);
  EXPECT_EQ(r.throttle->spec.rate, 10);
  EXPECT_EQ(r.throttle->spec.burst, 5u);
  EXPECT_TRUE(r.throttle->spec.keep_latest);
  std::string key;
  r.throttle->key->render(ctx, key);
  EXPECT_EQ(key, "0848086123");
}

TEST(RouteSpec, NameDefaultsToTheContext) {
  EXPECT_EQ(compile(R"({"from": "a", "to": "b"})").name, "routes[0]");
}

TEST(RouteSpec, FromWithoutPatternTakesEverySubject) {
  auto r = compile(R"({"from": ["a", "b:x.*"], "to": "c"})");
  ASSERT_EQ(r.from.size(), 2u);
  EXPECT_FALSE(r.from[0].pattern);
  EXPECT_TRUE(r.from[1].pattern->matches("x.y"));
  EXPECT_TRUE(r.where.always_matches());
}

TEST(RouteSpec, PatternsUseTheConnectorsSyntax) {
  RouteCompileOptions options;
  options.syntax_for = [](std::string_view c) {
    return c == "rabbit" ? SubjectSyntax::kAmqp : SubjectSyntax::kAuto;
  };
  auto r = compile(R"({"from": ["rabbit:audit.*", "nats:audit.*"], "to": "c"})", options);
  EXPECT_EQ(r.from[0].pattern->syntax(), SubjectSyntax::kAmqp);
  EXPECT_EQ(r.from[1].pattern->syntax(), SubjectSyntax::kNats);
}

TEST(RouteSpec, OutputGroupsAndLists) {
  auto list = compile(R"({"from": "a", "to": ["b", "c:x"]})");
  EXPECT_EQ(list.to.policy(), OutputPolicy::kFanout);
  EXPECT_EQ(list.to.targets().size(), 2u);
  EXPECT_FALSE(list.to.targets()[0].has_subject);
  auto fallback = compile(R"({"from": "a", "to": {"fallback": ["primary", "backup:dlq"]}})");
  EXPECT_EQ(fallback.to.policy(), OutputPolicy::kFallback);
  EXPECT_EQ(fallback.to.targets()[1].connector, "backup");
  EXPECT_EQ(fallback.to.targets()[1].subject.literal_text(), "dlq");
  auto rr = compile(R"({"from": "a", "to": {"round_robin": ["x", "y", "z"]}})");
  EXPECT_EQ(rr.to.policy(), OutputPolicy::kRoundRobin);
}

TEST(RouteSpec, DeadLetterDedupTransformAreCompiled) {
  auto r = compile(R"({"from": ["a", "b"], "to": "c", "dead_letter": "dlq:failed.${source}",
                       "dedup": {"key": "uuid", "window_ms": 5000},
                       "transform": {"set": {"routed": "${source}"}}})");
  ASSERT_TRUE(r.dead_letter);
  EXPECT_EQ(r.dead_letter->connector, "dlq");
  ASSERT_TRUE(r.dedup);
  EXPECT_EQ(r.dedup->window, std::chrono::milliseconds(5000));
  EXPECT_EQ(r.dedup->key.text(), "${uuid}");
  ASSERT_TRUE(r.transform);
  ASSERT_EQ(r.transform->templates().size(), 1u);
  EXPECT_EQ(r.transform->templates()[0]->text(), "${source}");
}

TEST(RouteSpec, BadTransformIsAnErrorAtItsKey) {
  expect_error(R"({"from": "a", "to": "b", "transform": {"lua": "function(m) return m end"}})",
               "routes[0].transform.lua: unknown key 'lua' (expected rename, set, remove)");
  expect_error(R"({"from": "a", "to": "b", "transform": {"remove": [3]}})",
               "routes[0].transform.remove[0]: expected a payload path");
}

TEST(RouteSpec, ThrottleKeyMayBeATemplate) {
  auto r = compile(R"({"from": "a", "to": "b",
                       "throttle": {"key": "${source}/${subject}", "min_interval_ms": 100}})");
  auto m = make_message("{}", "s1");
  std::string key;
  r.throttle->key->render(MessageContext{*m, "a", "n"}, key);
  EXPECT_EQ(key, "a/s1");
  EXPECT_EQ(r.throttle->spec.min_interval, std::chrono::milliseconds(100));
}

TEST(RouteSpec, NumbersWrittenAsTextAreAccepted) {
  auto r = compile(R"({"from": "a", "to": "b",
                       "throttle": {"rate": "2.5", "burst": "3", "buffer": 4,
                                    "overflow": "drop_oldest", "keep_latest": "false"}})");
  EXPECT_DOUBLE_EQ(r.throttle->spec.rate, 2.5);
  EXPECT_EQ(r.throttle->spec.burst, 3u);
  EXPECT_EQ(r.throttle->spec.buffer, 4u);
  EXPECT_EQ(r.throttle->spec.overflow, Overflow::kDropOldest);
}

TEST(RouteSpec, MissingFromAndToAreErrors) {
  expect_error(R"({"to": "b"})", "routes[0]: missing 'from'");
  expect_error(R"({"from": "a"})", "routes[0]: missing 'to'");
  expect_error(R"([1])", "routes[0]: a route must be an object");
}

TEST(RouteSpec, UnknownKeysAreNamed) {
  expect_error(R"({"from": "a", "to": "b", "filter": {}})",
               "routes[0].filter: unknown key 'filter' (expected name, from, where");
  expect_error(R"({"from": "a", "to": "b", "throttle": {"rate": 1, "rte": 2}})",
               "routes[0].throttle.rte: unknown key 'rte'");
  expect_error(R"({"from": "a", "to": "b", "dedup": {"key": "x", "window": 2}})",
               "routes[0].dedup.window: unknown key");
}

TEST(RouteSpec, BadSourcesAndTargets) {
  expect_error(R"({"from": ":x", "to": "b"})", "routes[0].from: ':x' names no connector");
  expect_error(R"({"from": "a:", "to": "b"})", "routes[0].from: 'a:' has an empty subject pattern");
  expect_error(R"({"from": ["a", 3], "to": "b"})", "routes[0].from[1]: expected");
  expect_error(R"({"from": [], "to": "b"})", "routes[0].from: expected at least one source");
  expect_error(R"({"from": "m:a/#/b", "to": "b"})", "routes[0].from: subject pattern 'a/#/b'");
  expect_error(R"({"from": "a", "to": "b:${x"})", "routes[0].to: template");
  expect_error(R"({"from": "a", "to": ["b", "c:"]})", "routes[0].to[1]: 'c:' has an empty subject");
  expect_error(R"({"from": "a", "to": {"random": ["b"]}})", "routes[0].to.random: unknown output");
  expect_error(R"({"from": "a", "to": {"fallback": "b"}})",
               "routes[0].to.fallback: expected a list");
  expect_error(R"({"from": "a", "to": {"fallback": ["b"], "fanout": ["c"]}})",
               "routes[0].to: expected one of");
  expect_error(R"({"from": "a", "to": []})", "routes[0].to: expected at least one target");
  expect_error(R"({"from": "a", "to": "b", "dead_letter": 5})", "routes[0].dead_letter: expected");
}

TEST(RouteSpec, ThrottleValuesAreChecked) {
  expect_error(R"({"from": "a", "to": "b", "throttle": {"key": "x"}})",
               "routes[0].throttle: set rate");
  expect_error(R"({"from": "a", "to": "b", "throttle": {"rate": -1}})",
               "routes[0].throttle.rate: expected a number >= 0");
  expect_error(R"({"from": "a", "to": "b", "throttle": {"rate": 1, "burst": 0}})",
               "routes[0].throttle.burst: expected a whole number >= 1");
  expect_error(R"({"from": "a", "to": "b", "throttle": {"rate": 1, "buffer": 1.5}})",
               "routes[0].throttle.buffer: expected a whole number");
  expect_error(R"({"from": "a", "to": "b", "throttle": {"rate": 1, "overflow": "x", "buffer": 1}})",
               "routes[0].throttle.overflow: expected drop_newest");
  expect_error(R"({"from": "a", "to": "b", "throttle": {"rate": 1, "overflow": "drop_oldest"}})",
               "routes[0].throttle.overflow: has no effect without buffer");
  expect_error(R"({"from": "a", "to": "b", "throttle": {"rate": 1, "keep_latest": 2}})",
               "routes[0].throttle.keep_latest: expected true or false");
  expect_error(R"({"from": "a", "to": "b", "throttle": {"rate": 1, "key": "a..b"}})",
               "routes[0].throttle.key: template");
}

TEST(RouteSpec, DedupNeedsKeyAndWindow) {
  expect_error(R"({"from": "a", "to": "b", "dedup": {"window_ms": 10}})",
               "routes[0].dedup: missing 'key'");
  expect_error(R"({"from": "a", "to": "b", "dedup": {"key": "x"}})",
               "routes[0].dedup: missing 'window_ms'");
}

TEST(RouteSpec, WhereErrorsCarryTheRouteContext) {
  expect_error(R"({"from": "a", "to": "b", "where": {"x": {"nee": 1}}})",
               "routes[0].where.x.nee: unknown operator");
}

TEST(RouteSpec, ConnectorsAreCheckedByRole) {
  RouteCompileOptions options;
  options.check_connector = [](std::string_view c,
                               RouteCompileOptions::Role role) -> std::optional<std::string> {
    if (c == "nope") return "unknown connector 'nope' (known: in, out)";
    if (c == "out" && role == RouteCompileOptions::Role::kSource)
      return "connector 'out' (file sink) cannot be read from";
    return std::nullopt;
  };
  expect_error(R"({"from": "nope", "to": "out"})", "routes[0].from: unknown connector 'nope'",
               options);
  expect_error(R"({"from": "out", "to": "out"})", "routes[0].from: connector 'out'", options);
  expect_error(R"({"from": "in", "to": ["out", "nope:x"]})", "routes[0].to[1]: unknown connector",
               options);
  expect_error(R"({"from": "in", "to": "out", "dead_letter": "nope"})",
               "routes[0].dead_letter: unknown connector", options);
  compile(R"({"from": "in", "to": "out"})", options);
}

TEST(RouteSpec, SharedThrottleTakesAConnectorOrItsSettings) {
  auto plain = compile(R"({"from": "a", "to": "b", "throttle": {"rate": 100, "shared": "redis"}})");
  ASSERT_TRUE(plain.throttle && plain.throttle->shared);
  const auto& s = *plain.throttle->shared;
  EXPECT_EQ(s.connector, "redis");
  EXPECT_EQ(s.window, std::chrono::milliseconds(1000));
  EXPECT_EQ(s.limit(100), 100u);
  EXPECT_EQ(s.lease_size(100), 5u);  // a 20th of the window's budget
  EXPECT_EQ(s.lease_size(3), 1u);
  EXPECT_EQ(s.key_prefix, "sluice:throttle:");

  auto full = compile(R"({"from": "a", "to": "b", "throttle": {"rate": 2, "shared":
      {"connector": "r", "window_ms": 60000, "lease": 500, "timeout_ms": 20,
       "key_prefix": "app:"}}})");
  const auto& f = *full.throttle->shared;
  EXPECT_EQ(f.limit(2), 120u);
  EXPECT_EQ(f.lease_size(2), 120u);  // never more than the budget
  EXPECT_EQ(f.timeout, std::chrono::milliseconds(20));
  EXPECT_EQ(f.key_prefix, "app:");
}

TEST(RouteSpec, SharedThrottleMistakesAreNamed) {
  expect_error(R"({"from": "a", "to": "b", "throttle": {"min_interval_ms": 5, "shared": "r"}})",
               "routes[0].throttle.shared: shares the rate between nodes: set rate");
  expect_error(R"({"from": "a", "to": "b", "throttle": {"rate": 5, "burst": 2, "shared": "r"}})",
               "routes[0].throttle.burst: a shared budget counts per window");
  expect_error(R"({"from": "a", "to": "b", "throttle": {"rate": 5, "shared": 7}})",
               "routes[0].throttle.shared: expected a connector name or {connector");
  expect_error(R"({"from": "a", "to": "b", "throttle": {"rate": 5, "shared": {"window_ms": 5}}})",
               "routes[0].throttle.shared: expected a connector name");
  expect_error(
      R"({"from": "a", "to": "b", "throttle": {"rate": 5, "shared": {"connector": "r", "ttl": 1}}})",
      "routes[0].throttle.shared.ttl: unknown key 'ttl'");
  RouteCompileOptions options;
  options.check_connector = [](std::string_view c,
                               RouteCompileOptions::Role role) -> std::optional<std::string> {
    if (role == RouteCompileOptions::Role::kRequest && c == "file")
      return "connector 'file' (plugin file) takes no requests";
    return std::nullopt;
  };
  expect_error(R"({"from": "a", "to": "b", "throttle": {"rate": 5, "shared": "file"}})",
               "routes[0].throttle.shared: connector 'file' (plugin file) takes no requests",
               options);
}

TEST(RouteSpec, EveryProblemIsReportedAtOnce) {
  auto errors = errors_of(R"({"from": ":x", "to": {"random": []}, "where": {"a": {"zz": 1}},
                              "throttle": {"rate": -1}, "extra": 1})");
  EXPECT_EQ(errors.size(), 5u);
}

TEST(RouteSpec, SourcePolicyCompilesWithItsDefaults) {
  auto r = compile(R"({"from": {"priority": ["mqtt:sensors/#", "rest"]}, "to": "ws"})");
  EXPECT_EQ(r.sources.policy, SourcePolicy::kPriority);
  EXPECT_EQ(r.sources.silence, kDefaultPrioritySilence);
  EXPECT_EQ(r.sources.standby, StandbyAction::kDrop);
  ASSERT_EQ(r.from.size(), 2u);
  EXPECT_EQ(r.from[0].connector, "mqtt");
  EXPECT_TRUE(r.from[0].pattern);
  EXPECT_EQ(r.from[1].connector, "rest");

  auto rr = compile(R"({"from": {"round_robin": ["a", "b"], "batch": "20"}, "to": "ws"})");
  EXPECT_EQ(rr.sources.policy, SourcePolicy::kRoundRobin);
  EXPECT_EQ(rr.sources.standby, StandbyAction::kPause);
  EXPECT_EQ(rr.sources.silence, kDefaultRoundRobinSilence);
  EXPECT_EQ(rr.sources.batch, 20u);

  auto f = compile(
      R"({"from": {"fallback": ["a", "b"], "silence_ms": 250, "standby": "pause"}, "to": "ws"})");
  EXPECT_EQ(f.sources.silence, std::chrono::milliseconds(250));
  EXPECT_EQ(f.sources.standby, StandbyAction::kPause);

  auto m = compile(R"({"from": {"merge": ["a", "b"]}, "to": "ws"})");
  EXPECT_FALSE(m.sources.selects());
  EXPECT_EQ(m.from.size(), 2u);
}

TEST(RouteSpec, SourcePolicyMistakesAreExplained) {
  expect_error(R"({"from": {"priority": ["a"]}, "to": "x"})", "list at least two");
  expect_error(R"({"from": {"priority": ["a", "a:x"]}, "to": "x"})", "listed twice");
  expect_error(R"({"from": {"priority": "a"}, "to": "x"})", "expected a list of sources");
  expect_error(R"({"from": {"silence_ms": 5}, "to": "x"})", "expected one of priority");
  expect_error(R"({"from": {"priority": ["a", "b"], "fallback": ["c", "d"]}, "to": "x"})",
               "one policy per route");
  expect_error(R"({"from": {"priority": ["a", "b"], "silence": 5}, "to": "x"})",
               "from.silence: unknown key");
  expect_error(R"({"from": {"priority": ["a", "b"], "silence_ms": 0}, "to": "x"})",
               "from.silence_ms: expected whole milliseconds");
  expect_error(R"({"from": {"priority": ["a", "b"], "standby": "hold"}, "to": "x"})",
               "from.standby: expected drop or pause");
  expect_error(R"({"from": {"round_robin": ["a", "b"], "standby": "drop"}, "to": "x"})",
               "would lose");
  expect_error(R"({"from": {"priority": ["a", "b"], "batch": 5}, "to": "x"})",
               "batch belongs to round_robin");
  expect_error(R"({"from": {"merge": ["a", "b"], "silence_ms": 5}, "to": "x"})",
               "merge takes every source");
}

}  // namespace
}  // namespace sluice::routing
