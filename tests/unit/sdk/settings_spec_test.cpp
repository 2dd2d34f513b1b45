// The declarative settings table: what `sluice check` reports for a
// connector, the defaults a plugin sees, and the schema it publishes.
#include <gtest/gtest.h>

#include <limits>
#include <sluice/settings.hpp>

namespace sluice {
namespace {

const SettingsSpec& spec() {
  static const SettingsSpec s{
      Setting::string("url").require().doc("server URL"),
      Setting::integer("timeout_ms").def("2000").min(1).max(60000).doc("timeout"),
      Setting::string("mode").def("\"fast\"").one_of({"fast", "safe"}).doc("mode"),
      Setting::list("topics").doc("topics"),
      Setting::boolean("tls").def("false").doc("use TLS"),
      Setting::string("password").hide().doc("secret"),
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
  Config c = spec().parse(R"({"url":"nats://h","topics":"one"})");
  EXPECT_EQ(c.get_string("url"), "nats://h");
  EXPECT_EQ(c.get_int("timeout_ms"), 2000);
  EXPECT_EQ(c.get_string("mode"), "fast");
  EXPECT_FALSE(c.get_bool("tls"));
  EXPECT_EQ(c.get_list("topics"), std::vector<std::string>{"one"});
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
