// ${VAR} / ${VAR:-default} / $${ escape, alone and inside a whole config.
#include "config/env_interpolation.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "config_test_util.hpp"

namespace sluice::config {
namespace {

using testing::load_yaml;
using testing::yaml_lines;
using Strings = std::vector<std::string>;

struct Expanded {
  std::string text;
  Strings problems;
};

Expanded expand(std::string_view text, const std::map<std::string, std::string>& env) {
  Expanded out;
  out.text = interpolate_env(
      text,
      [&](std::string_view name) -> std::optional<std::string> {
        auto it = env.find(std::string(name));
        return it == env.end() ? std::nullopt : std::optional(it->second);
      },
      out.problems);
  return out;
}

TEST(EnvInterpolation, ReplacesSetVariables) {
  auto e = expand("${HOST}:${PORT}", {{"HOST", "10.0.0.1"}, {"PORT", "4222"}});
  EXPECT_EQ(e.text, "10.0.0.1:4222");
  EXPECT_EQ(e.problems, Strings{});
}

TEST(EnvInterpolation, UsesDefaultWhenUnsetOrEmpty) {
  EXPECT_EQ(expand("${A:-one}", {}).text, "one");
  EXPECT_EQ(expand("${A:-one}", {{"A", ""}}).text, "one");
  EXPECT_EQ(expand("${A:-one}", {{"A", "set"}}).text, "set");
  EXPECT_EQ(expand("x${A:-}y", {}).text, "xy");
}

TEST(EnvInterpolation, DefaultMayHoldAnotherReference) {
  EXPECT_EQ(expand("${A:-${B:-fallback}}", {}).text, "fallback");
  EXPECT_EQ(expand("${A:-${B:-fallback}}", {{"B", "b"}}).text, "b");
  EXPECT_EQ(expand("${A:-nats://${H:-localhost}:4222}", {}).text, "nats://localhost:4222");
}

TEST(EnvInterpolation, SetButEmptyPlainReferenceIsEmptyNotAnError) {
  auto e = expand("[${A}]", {{"A", ""}});
  EXPECT_EQ(e.text, "[]");
  EXPECT_EQ(e.problems, Strings{});
}

TEST(EnvInterpolation, DollarDollarBraceIsALiteralDollarBrace) {
  auto e = expand("price $${AMOUNT} and $$ and $x", {{"AMOUNT", "5"}});
  EXPECT_EQ(e.text, "price ${AMOUNT} and $$ and $x");
  EXPECT_EQ(e.problems, Strings{});
}

TEST(EnvInterpolation, ValuesAreNotExpandedAgain) {
  EXPECT_EQ(expand("${A}", {{"A", "${B}"}, {"B", "no"}}).text, "${B}");
}

TEST(EnvInterpolation, LeavesMessageTemplatesAlone) {
  auto e = expand("ws:devices/${data.DEVICE_ID}/${headers.x-id}", {});
  EXPECT_EQ(e.text, "ws:devices/${data.DEVICE_ID}/${headers.x-id}");
  // Lower-case plain names are message-template fields, not the environment.
  auto t = expand("${device}:${node_id}:${counter}:${randint:0:9}", {{"device", "env"}});
  EXPECT_EQ(t.text, "${device}:${node_id}:${counter}:${randint:0:9}");
  EXPECT_EQ(e.problems, Strings{});
  EXPECT_EQ(t.problems, Strings{});
}

TEST(EnvInterpolation, PlainReferencesNeedUpperCaseNamesDefaultsTakeAny) {
  auto e = expand("${HOME_DIR}|${_X}|${A1}|${Mixed}|${node:-n1}|${lower:-x}",
                  {{"HOME_DIR", "/h"}, {"_X", "x"}, {"A1", "1"}, {"Mixed", "m"}, {"node", "n"}});
  EXPECT_EQ(e.text, "/h|x|1|${Mixed}|n|x");
  EXPECT_EQ(e.problems, Strings{});
}

TEST(EnvInterpolation, UnsetVariableIsAProblemNamingIt) {
  auto e = expand("${NOPE}", {});
  EXPECT_EQ(e.problems, Strings{"environment variable 'NOPE' is not set (give a default with "
                                "${NOPE:-value}, or write $${NOPE} for a literal '${NOPE}')"});
}

TEST(EnvInterpolation, UnterminatedReferenceIsAProblem) {
  auto e = expand("a ${B", {{"B", "x"}});
  EXPECT_EQ(e.problems, Strings{"unterminated '${' in \"a ${B\" (close it with '}', or write "
                                "'$${' for a literal '${')"});
}

TEST(ConfigInterpolation, InterpolatesBeforeTypeChecking) {
  auto loaded = load_yaml(yaml_lines({
                              "workers: ${WORKERS:-2}",
                              "queue_capacity: ${QUEUE}",
                              "admin: { enabled: \"${ADMIN}\" }",
                          }),
                          {{"QUEUE", "512"}, {"ADMIN", "false"}});
  // A quoted scalar stays a string after interpolation, so "false" is no boolean.
  EXPECT_EQ(loaded.errors(), Strings{"cfg.yaml:3:19: admin.enabled: expected true or false "
                                     "(remove the quotes), got the quoted string \"false\""});
  EXPECT_EQ(loaded.config.workers, 2);
  EXPECT_EQ(loaded.config.queue_capacity, 512);
}

TEST(ConfigInterpolation, WrongTypeAfterInterpolationIsReportedAtTheScalar) {
  auto loaded =
      load_yaml(yaml_lines({"node_id: n", "workers:   ${WORKERS}"}), {{"WORKERS", "many"}});
  EXPECT_EQ(loaded.errors(),
            Strings{"cfg.yaml:2:12: workers: expected an integer, got the string \"many\""});
}

TEST(ConfigInterpolation, ExpandsInsideListsAndNestedPluginSettings) {
  auto loaded = load_yaml(yaml_lines({
                              "connectors:",
                              "  k:",
                              "    plugin: kafka",
                              "    topics:",
                              "      - ${PREFIX}.in",
                              "      - \"${PREFIX}.retry\"",
                              "      - ${EXTRA:-fallback}",
                              "    tls:",
                              "      ca: \"${CA:-/etc/ssl/ca.pem}\"",
                              "      port: ${TLS_PORT}",
                          }),
                          {{"PREFIX", "prod"}, {"TLS_PORT", "9093"}});
  ASSERT_EQ(loaded.errors(), Strings{});
  ASSERT_EQ(loaded.config.connectors.size(), 1u);
  EXPECT_EQ(boost::json::parse(loaded.config.connectors[0].settings_json), boost::json::parse(R"({
    "topics": ["prod.in", "prod.retry", "fallback"],
    "tls": {"ca": "/etc/ssl/ca.pem", "port": 9093}})"));
}

TEST(ConfigInterpolation, ExpandsNodeIdWithDefault) {
  auto loaded = load_yaml("node_id: ${NODE_ID:-node-1}\n");
  ASSERT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.node_id, "node-1");
  loaded = load_yaml("node_id: ${NODE_ID:-node-1}\n", {{"NODE_ID", "edge-3"}});
  EXPECT_EQ(loaded.config.node_id, "edge-3");
}

TEST(ConfigInterpolation, EscapeKeepsALiteralReferenceForTheRouteEngine) {
  auto loaded = load_yaml(yaml_lines({
                              "connectors: { in: { plugin: stdio }, out: { plugin: redis } }",
                              "routes:",
                              "  - from: in",
                              "    to: \"out:last.$${DEVICE_ID}.${key}.${data.id}\"",
                          }),
                          {{"DEVICE_ID", "from-env"}});
  ASSERT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.routes[0].spec.at("to"), "out:last.${DEVICE_ID}.${key}.${data.id}");
}

TEST(ConfigInterpolation, MissingVariableErrorsNameEachVariableAndPlace) {
  auto loaded = load_yaml(yaml_lines({
      "connectors:",
      "  k:",
      "    plugin: kafka",
      "    brokers: [\"${B1}\", ok, \"${B2}\"]",
  }));
  EXPECT_EQ(loaded.errors(),
            (Strings{
                "cfg.yaml:4:15: environment variable 'B1' is not set (give a default with "
                "${B1:-value}, or write $${B1} for a literal '${B1}')",
                "cfg.yaml:4:28: environment variable 'B2' is not set (give a default with "
                "${B2:-value}, or write $${B2} for a literal '${B2}')",
            }));
}

TEST(ConfigInterpolation, KeysAreNotInterpolated) {
  auto loaded = load_yaml(yaml_lines({"connectors:", "  k:", "    plugin: x", "    ${A}: 1"}));
  EXPECT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.connectors[0].settings_json, R"({"${A}":1})");
}

TEST(ConfigInterpolation, EmptyDefaultInPlainScalarIsAnEmptyString) {
  auto loaded = load_yaml(yaml_lines({
      "metrics:",
      "  statsd: \"${STATSD:-}\"",
      "  prefix: ${PREFIX:-}",
      "connectors:",
      "  k:",
      "    plugin: x",
      "    opt: ${OPT:-}",
  }));
  ASSERT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.metrics.statsd, "");
  EXPECT_EQ(loaded.config.metrics.prefix, "");
  EXPECT_EQ(loaded.config.connectors[0].settings_json, R"({"opt":""})");
}

}  // namespace
}  // namespace sluice::config
