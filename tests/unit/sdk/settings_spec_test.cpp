// The declarative settings table: what `sluice check` reports for a
// connector, the defaults a plugin sees, and the schema it publishes.
// (settings_table_test.cpp covers how the table fills the fields.)
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <sluice/settings.hpp>
#include <sluice/settings_table.hpp>
#include <string>
#include <vector>

namespace sluice {
namespace {

struct SpecOptions {
  std::string url;
  int64_t timeout_ms = 0;
  std::string mode;
  std::optional<std::vector<std::string>> topics;
  bool tls = true;
  std::optional<std::string> password;
};

const SettingsTable<SpecOptions>& spec() {
  using O = SpecOptions;
  static const SettingsTable<O> s{
      field(&O::url, "url").require().doc("server URL"),
      field(&O::timeout_ms, "timeout_ms").def(2000).min(1).max(60000).doc("timeout"),
      field(&O::mode, "mode").def("fast").one_of({"fast", "safe"}).doc("mode"),
      field(&O::topics, "topics").doc("topics"),
      field(&O::tls, "tls").def(false).doc("use TLS"),
      field(&O::password, "password").hide().doc("secret"),
  };
  return s;
}

TEST(SettingsSpec, SettingsSpec_ReportsEveryProblemAtOnce) {
  auto errors = spec().validate(R"({"timout_ms": 5, "mode": "slow", "tls": "yes"})");
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0], "unknown setting 'timout_ms'; did you mean 'timeout_ms'?");
  EXPECT_EQ(errors[1], "setting 'mode' is 'slow', expected one of: fast, safe");
  EXPECT_EQ(errors[2], "setting 'tls' must be true or false");
  EXPECT_EQ(errors[3], "missing required setting 'url' (server URL)");
}

TEST(SettingsSpec, SettingsSpec_ChecksNumericBounds) {
  auto errors = spec().validate(R"({"url":"x","timeout_ms": 0})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "setting 'timeout_ms' must be >= 1");
  EXPECT_EQ(spec().validate(R"({"url":"x","timeout_ms": 1.5})").front(),
            "setting 'timeout_ms' must be an integer");
}

// 1e309 parses to infinity: before, a number setting took it and an integer
// setting cast it to int64_t (undefined behaviour).
TEST(SettingsSpec, SettingsSpec_RefusesNumbersThatOverflowToInfinity) {
  const SettingsSpec numbers{Setting::number("rate").min(0).doc("per second"),
                             Setting::integer("count").doc("how many")};
  EXPECT_EQ(numbers.validate(R"({"rate": 1e309})"),
            std::vector<std::string>{"setting 'rate' must be a finite number"});
  EXPECT_EQ(numbers.validate(R"({"rate": -1e400})"),
            std::vector<std::string>{"setting 'rate' must be a finite number"});
  EXPECT_EQ(numbers.validate(R"({"count": 1e309})"),
            std::vector<std::string>{"setting 'count' must be a finite integer"});
  EXPECT_EQ(numbers.validate(R"({"count": 1e300})"),
            std::vector<std::string>{"setting 'count' must be an integer"});
  EXPECT_TRUE(numbers.validate(R"({"rate": 1e308, "count": 1e3})").empty());
  boost::json::object infinite{{"rate", std::numeric_limits<double>::infinity()},
                               {"count", std::numeric_limits<double>::quiet_NaN()}};
  std::vector<std::string> errors;
  numbers.validate(infinite, errors);
  EXPECT_EQ(errors, (std::vector<std::string>{"setting 'rate' must be a finite number",
                                              "setting 'count' must be a finite integer"}));
}

TEST(SettingsSpec, SettingsSpec_FillsDefaultsAndAcceptsAStringAsAList) {
  SpecOptions c = spec().parse(R"({"url":"nats://h","topics":"one"})");
  EXPECT_EQ(c.url, "nats://h");
  EXPECT_EQ(c.timeout_ms, 2000);
  EXPECT_EQ(c.mode, "fast");
  EXPECT_FALSE(c.tls);
  EXPECT_EQ(c.topics, std::vector<std::string>{"one"});
}

TEST(SettingsSpec, SettingsSpec_ParseThrowsWithAllErrors) {
  try {
    spec().parse(R"({"mode": 3})");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "setting 'mode' must be a string; missing required setting 'url' (server URL)");
  }
}

TEST(SettingsSpec, SettingsSpec_SchemaDescribesEverySetting) {
  auto schema = boost::json::parse(spec().schema_json()).as_object();
  EXPECT_EQ(schema.at("additionalProperties"), false);
  const auto& props = schema.at("properties").as_object();
  EXPECT_EQ(props.size(), 6u);
  EXPECT_EQ(props.at("timeout_ms").at("type"), "integer");
  EXPECT_EQ(props.at("timeout_ms").at("default"), 2000);
  EXPECT_EQ(props.at("mode").at("enum").as_array().size(), 2u);
  EXPECT_EQ(props.at("password").at("writeOnly"), true);
  EXPECT_EQ(schema.at("required").as_array().front(), "url");
}

TEST(SettingsSpec, SettingsSpec_SecretValuesAreNeverEchoed) {
  static const SettingsSpec s{Setting::string("level").one_of({"a"}).hide()};
  auto errors = s.validate(R"({"level":"hunter2"})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].find("hunter2"), std::string::npos);
}

TEST(SettingsSpec, SettingsSpec_MarkdownTableListsDefaultsAndChoices) {
  auto table = spec().markdown_table();
  EXPECT_NE(table.find("| `url` | string | required | server URL |"), std::string::npos);
  EXPECT_NE(table.find("| `mode` | fast \\| safe | `\"fast\"` | mode |"), std::string::npos);
}

}  // namespace
}  // namespace sluice
