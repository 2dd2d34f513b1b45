// YAML scalars as the JSON a plugin receives: YAML 1.2 core schema for plain
// scalars, strings for anything quoted.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "config_test_util.hpp"

namespace sluice::config {
namespace {

using testing::load_yaml;
using testing::yaml_lines;
using Strings = std::vector<std::string>;

boost::json::object settings_of(const std::string& yaml_settings) {
  auto loaded = load_yaml("connectors:\n  c:\n    plugin: p\n" + yaml_settings);
  EXPECT_EQ(loaded.errors(), Strings{});
  if (loaded.config.connectors.empty()) return {};
  return boost::json::parse(loaded.config.connectors[0].settings_json).as_object();
}

TEST(ScalarTyping, PlainScalarsFollowTheCoreSchema) {
  auto s = settings_of(yaml_lines({
      "    t: true",
      "    f: False",
      "    i: 42",
      "    neg: -7",
      "    hex: 0x1F",
      "    oct: 0o17",
      "    big: 9223372036854775807",
      "    pi: 3.25",
      "    exp: 1e3",
      "    n1: null",
      "    n2: ~",
      "    n3:",
      "    word: hello",
  }));
  EXPECT_EQ(s.at("t"), true);
  EXPECT_EQ(s.at("f"), false);
  EXPECT_TRUE(s.at("i").is_int64());
  EXPECT_EQ(s.at("i"), 42);
  EXPECT_EQ(s.at("neg"), -7);
  EXPECT_EQ(s.at("hex"), 31);
  EXPECT_EQ(s.at("oct"), 15);
  EXPECT_EQ(s.at("big").as_int64(), INT64_MAX);
  EXPECT_TRUE(s.at("pi").is_double());
  EXPECT_EQ(s.at("pi").as_double(), 3.25);
  EXPECT_EQ(s.at("exp").as_double(), 1000.0);
  EXPECT_TRUE(s.at("n1").is_null());
  EXPECT_TRUE(s.at("n2").is_null());
  EXPECT_TRUE(s.at("n3").is_null());
  EXPECT_EQ(s.at("word"), "hello");
}

TEST(ScalarTyping, QuotedScalarsStayStringsEvenWhenTheyLookNumeric) {
  auto s = settings_of(yaml_lines({
      "    dq: \"123\"",
      "    sq: '123'",
      "    b: \"true\"",
      "    n: \"null\"",
      "    tagged: !!str 5",
      "    block: |",
      "      42",
  }));
  EXPECT_EQ(s.at("dq"), "123");
  EXPECT_EQ(s.at("sq"), "123");
  EXPECT_EQ(s.at("b"), "true");
  EXPECT_EQ(s.at("n"), "null");
  EXPECT_EQ(s.at("tagged"), "5");
  EXPECT_EQ(s.at("block"), "42\n");
}

TEST(ScalarTyping, Yaml11WordsAndOddNumbersAreStrings) {
  // No Norway problem: yes/no/on/off are strings; so are versions and dates.
  auto s = settings_of(yaml_lines({
      "    a: yes",
      "    b: off",
      "    c: 1.2.3",
      "    d: 2024-01-02",
      "    e: 1_000",
      "    f: .inf",
      "    g: 127.0.0.1:9092",
  }));
  EXPECT_EQ(s.at("a"), "yes");
  EXPECT_EQ(s.at("b"), "off");
  EXPECT_EQ(s.at("c"), "1.2.3");
  EXPECT_EQ(s.at("d"), "2024-01-02");
  EXPECT_EQ(s.at("e"), "1_000");
  EXPECT_EQ(s.at("f"), ".inf");
  EXPECT_EQ(s.at("g"), "127.0.0.1:9092");
}

TEST(ScalarTyping, NestedMappingsAndListsBecomeJsonObjectsAndArrays) {
  auto s = settings_of(yaml_lines({
      "    sasl: { mechanism: PLAIN, port: 9093, users: [a, \"2\", 3] }",
      "    empty_list: []",
      "    empty_map: {}",
  }));
  EXPECT_EQ(boost::json::value(s), boost::json::parse(R"({
    "sasl": {"mechanism": "PLAIN", "port": 9093, "users": ["a", "2", 3]},
    "empty_list": [], "empty_map": {}})"));
}

TEST(ScalarTyping, RouteSpecUsesTheSameTyping) {
  auto loaded = load_yaml(yaml_lines({
      "connectors: { a: { plugin: p } }",
      "routes:",
      "  - from: a",
      "    to: a",
      "    where: { data.status: \"ON\", data.speed: 10, data.ok: true, data.code: \"10\" }",
  }));
  ASSERT_EQ(loaded.errors(), Strings{});
  EXPECT_EQ(loaded.config.routes[0].spec.at("where"),
            boost::json::parse(
                R"({"data.status":"ON","data.speed":10,"data.ok":true,"data.code":"10"})"));
}

}  // namespace
}  // namespace sluice::config
