// Settings bound to struct fields: the table that validates and documents a
// setting also fills the field it names, with the field's type, the default
// when the setting is absent, and the same errors as the declarations alone.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <climits>
#include <cstdint>
#include <optional>
#include <sluice/settings_table.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice {
namespace {

enum class Codec { kNone, kGzip };

struct Tls {
  std::string ca;
  bool verify = false;
};

struct Options {
  std::string name;
  int64_t count = 0;
  int small = 0;
  uint32_t interval_ms = 0;
  size_t bytes = 0;
  double rate = 0;
  bool follow = true;
  std::vector<std::string> paths;
  std::optional<std::string> client_id;
  std::optional<int64_t> limit;
  boost::json::object properties;
  boost::json::value auth;
  std::chrono::milliseconds delay{0};
  Tls tls;
  Codec codec = Codec::kGzip;
};

static_assert(SettingField<Options, std::string>::kType == SettingType::kString);
static_assert(SettingField<Options, uint32_t>::kType == SettingType::kInteger);
static_assert(SettingField<Options, std::optional<int64_t>>::kType == SettingType::kInteger);
static_assert(SettingField<Options, float>::kType == SettingType::kNumber);
static_assert(SettingField<Options, std::vector<std::string>>::kType == SettingType::kStringList);
static_assert(SettingField<Options, boost::json::object>::kType == SettingType::kObject);
static_assert(SettingField<Options, boost::json::value>::kType == SettingType::kAny);
static_assert(SettingField<Options, std::chrono::milliseconds>::kType == SettingType::kInteger);

const SettingsTable<Options>& table() {
  using O = Options;
  static const SettingsTable<O> t{
      field(&O::name, "name").def("sluice-${node_id}").doc("connection name"),
      field(&O::count, "count").def(0).min(0).doc("how many; 0 = forever"),
      field(&O::small, "small").def(-1).min(-1).doc("attempts"),
      field(&O::interval_ms, "interval_ms").def(250).min(10).max(60000).doc("poll interval"),
      field(&O::bytes, "bytes").def(1048576).min(16).doc("largest line"),
      field(&O::rate, "rate").def(0.2).min(0).max(1).doc("jitter"),
      field(&O::follow, "follow").def(false).doc("keep reading"),
      field(&O::paths, "paths").def(std::vector<std::string>{"/api/v1/stream"}).doc("paths"),
      field(&O::client_id, "client_id").doc("client id; defaults to the node_id"),
      field(&O::limit, "limit").min(1).doc("optional limit"),
      field(&O::properties, "properties").def(boost::json::object()).doc("passed as is"),
      field(&O::auth, "auth").def(boost::json::value("none")).doc("none, or a mapping"),
      field(&O::delay, "delay_ms").def(std::chrono::milliseconds(1000)).min(0).doc("delay"),
      field(&O::tls, &Tls::ca, "tls_ca").def("").doc("CA file"),
      field(&O::tls, &Tls::verify, "tls_verify").def(true).doc("verify the server"),
      choice(&O::codec, "codec", {{"none", Codec::kNone}, {"gzip", Codec::kGzip}})
          .def("none")
          .doc("compression"),
  };
  return t;
}

// The same settings declared without fields, as plugins did before.
const SettingsSpec& declarations() {
  static const SettingsSpec s{
      Setting::string("name").def("\"sluice-${node_id}\"").doc("connection name"),
      Setting::integer("count").def("0").min(0).doc("how many; 0 = forever"),
      Setting::integer("small").def("-1").min(-1).doc("attempts"),
      Setting::integer("interval_ms").def("250").min(10).max(60000).doc("poll interval"),
      Setting::integer("bytes").def("1048576").min(16).doc("largest line"),
      Setting::number("rate").def("0.2").min(0).max(1).doc("jitter"),
      Setting::boolean("follow").def("false").doc("keep reading"),
      Setting::list("paths").def("[\"/api/v1/stream\"]").doc("paths"),
      Setting::string("client_id").doc("client id; defaults to the node_id"),
      Setting::integer("limit").min(1).doc("optional limit"),
      Setting::object("properties").def("{}").doc("passed as is"),
      Setting::any("auth").def("\"none\"").doc("none, or a mapping"),
      Setting::integer("delay_ms").def("1000").min(0).doc("delay"),
      Setting::string("tls_ca").def("\"\"").doc("CA file"),
      Setting::boolean("tls_verify").def("true").doc("verify the server"),
      Setting::string("codec").def("\"none\"").one_of({"none", "gzip"}).doc("compression"),
  };
  return s;
}

std::string parse_error(std::string_view json) {
  try {
    table().parse(json);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SettingsTable, FillsEveryFieldFromItsSetting) {
  Options o = table().parse(R"({
      "name": "edge", "count": 12, "small": 7, "interval_ms": 500, "bytes": 4096,
      "rate": 0.5, "follow": true, "paths": ["/a", "/b"], "client_id": "me", "limit": 3,
      "properties": {"linger.ms": 5}, "auth": {"mode": "jwt"}, "delay_ms": 250,
      "tls_ca": "ca.pem", "tls_verify": false, "codec": "gzip"})");
  EXPECT_EQ(o.name, "edge");
  EXPECT_EQ(o.count, 12);
  EXPECT_EQ(o.small, 7);
  EXPECT_EQ(o.interval_ms, 500u);
  EXPECT_EQ(o.bytes, 4096u);
  EXPECT_DOUBLE_EQ(o.rate, 0.5);
  EXPECT_TRUE(o.follow);
  EXPECT_EQ(o.paths, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(o.client_id, "me");
  EXPECT_EQ(o.limit, 3);
  EXPECT_EQ(o.properties, (boost::json::object{{"linger.ms", 5}}));
  EXPECT_EQ(o.auth, boost::json::parse(R"({"mode": "jwt"})"));
  EXPECT_EQ(o.delay, std::chrono::milliseconds(250));
  EXPECT_EQ(o.tls.ca, "ca.pem");
  EXPECT_FALSE(o.tls.verify);
  EXPECT_EQ(o.codec, Codec::kGzip);
}

TEST(SettingsTable, AppliesDefaultsAndLeavesSettingsWithoutOneEmpty) {
  Options o = table().parse("{}");
  EXPECT_EQ(o.name, "sluice-${node_id}");
  EXPECT_EQ(o.small, -1);
  EXPECT_EQ(o.interval_ms, 250u);
  EXPECT_EQ(o.bytes, 1048576u);
  EXPECT_DOUBLE_EQ(o.rate, 0.2);
  EXPECT_FALSE(o.follow);  // the field starts true: the default was applied
  EXPECT_EQ(o.paths, std::vector<std::string>{"/api/v1/stream"});
  EXPECT_FALSE(o.client_id);
  EXPECT_FALSE(o.limit);
  EXPECT_TRUE(o.properties.empty());
  EXPECT_EQ(o.auth, boost::json::value("none"));
  EXPECT_EQ(o.delay, std::chrono::milliseconds(1000));
  EXPECT_TRUE(o.tls.verify);
  EXPECT_EQ(o.codec, Codec::kNone);  // the field starts kGzip
}

TEST(SettingsTable, AcceptsOneStringAsAList) {
  EXPECT_EQ(table().parse(R"({"paths": "/only"})").paths, std::vector<std::string>{"/only"});
}

TEST(SettingsTable, RefusesAnIntegerItsFieldCannotHold) {
  // Integer settings are int64 in JSON; a narrower field must neither wrap
  // nor silently become another number.
  EXPECT_EQ(parse_error(R"({"small": 1e12})"),
            "setting 'small' must be <= 2147483647 (the most it can hold)");
  struct Narrow {
    int16_t level = 0;
    uint16_t port = 0;
  };
  const SettingsTable<Narrow> narrow{field(&Narrow::level, "level").def(0).doc("level"),
                                     field(&Narrow::port, "port").def(0).doc("port")};
  EXPECT_EQ(narrow.validate(R"({"level": -40000, "port": 70000})"),
            (std::vector<std::string>{"setting 'level' must be >= -32768 (the least it can hold)",
                                      "setting 'port' must be <= 65535 (the most it can hold)"}));
  EXPECT_EQ(narrow.validate(R"({"port": -1})"),
            std::vector<std::string>{"setting 'port' must be >= 0 (the least it can hold)"});
  EXPECT_EQ(narrow.parse(R"({"level": -32768, "port": 65535})").port, 65535);
  EXPECT_EQ(parse_error(R"({"count": 18446744073709551615})"),
            "setting 'count' must be <= 9223372036854775807 (the most it can hold)");
  EXPECT_EQ(table().parse(R"({"small": 2147483647})").small, INT_MAX);
  EXPECT_EQ(table().parse(R"({"interval_ms": 60000})").interval_ms, 60000u);
  // A declared range is reported alone, not with the field's.
  EXPECT_EQ(parse_error(R"({"interval_ms": 1e12})"), "setting 'interval_ms' must be <= 60000");
}

TEST(SettingsTable, RejectsAnUnknownKeyWithASuggestion) {
  EXPECT_EQ(parse_error(R"({"folow": true})"), "unknown setting 'folow'; did you mean 'follow'?");
  EXPECT_EQ(table().validate(R"({"intervl_ms": 5})"),
            std::vector<std::string>{"unknown setting 'intervl_ms'; did you mean 'interval_ms'?"});
}

TEST(SettingsTable, RejectsOutOfRangeAndWrongTypesWithEveryMessage) {
  EXPECT_EQ(parse_error(R"({"interval_ms": 5, "rate": 2, "follow": "yes", "count": 1.5,
                             "paths": [1], "properties": [], "codec": "zip", "name": 3})"),
            "setting 'interval_ms' must be >= 10; setting 'rate' must be <= 1; setting 'follow' "
            "must be true or false; setting 'count' must be an integer; setting 'paths' must be "
            "a list of strings; setting 'properties' must be a mapping; setting 'codec' is "
            "'zip', expected one of: none, gzip; setting 'name' must be a string");
  EXPECT_EQ(parse_error("[]"), "settings must be a mapping");
}

TEST(SettingsTable, NeverEchoesASecret) {
  struct Secret {
    std::string password;
  };
  const SettingsTable<Secret> secret{
      field(&Secret::password, "password").one_of({"a"}).hide().doc("secret")};
  try {
    secret.parse(R"({"password": "hunter2"})");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "setting 'password' is '***', expected one of: a");
  }
}

TEST(SettingsTable, ParsesAnAlreadyParsedMapping) {
  boost::json::object values{{"count", 4}};
  EXPECT_EQ(table().parse(values).count, 4);
  EXPECT_THROW(table().parse(boost::json::object{{"count", -1}}), ConfigError);
}

TEST(SettingsTable, SchemaAndReadmeTableAreThoseOfTheDeclarations) {
  EXPECT_EQ(table().schema_json(), declarations().schema_json());
  EXPECT_EQ(table().markdown_table(), declarations().markdown_table());
  EXPECT_NE(table().markdown_table().find("| `rate` | number | `0.2` | jitter |"),
            std::string::npos);
  EXPECT_NE(table().markdown_table().find("| `codec` | none \\| gzip | `\"none\"` | compression |"),
            std::string::npos);
}

TEST(SettingsTable, AChoiceDefaultMustBeOneOfTheChoices) {
  EXPECT_THROW(choice(&Options::codec, "codec", {{"none", Codec::kNone}}).def("zip"),
               std::logic_error);
}

}  // namespace
}  // namespace sluice
