// Unit tests of tokens, HS256 JWTs, control-frame parsing and the settings.
#include <gtest/gtest.h>

#include "auth.hpp"
#include "fake_clock.hpp"
#include "jwt.hpp"
#include "protocol.hpp"
#include "support/sluice_test.hpp"
#include "websocket_settings.hpp"

namespace sluice::websocket {
namespace {

using testing::FakeClock;

const std::set<std::string> kIndex = {"tenant", "kind", "site", "device"};
const std::string kSecret = "0123456789abcdef-secret";

AuthConfig parse_auth(const std::string& json, std::vector<std::string>& errors) {
  auto v = boost::json::parse(json);
  return AuthConfig::parse(&v, kIndex, errors);
}

TEST(Base64Url, RoundTrips) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\x00\x10"}) {
    auto decoded = base64url_decode(base64url_encode(s));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, s);
  }
  EXPECT_FALSE(base64url_decode("a+b/"));
}

TEST(Jwt, AcceptsAValidTokenAndRefusesTamperingExpiryAndOtherAlgorithms) {
  boost::json::object claims{{"sub", "u1"}, {"tenant", "acme"}, {"exp", 2000}};
  std::string token = jwt_sign_hs256(claims, kSecret);
  std::string error;
  JwtCheck check{kSecret, 1000, 0, "", ""};
  auto ok = jwt_verify_hs256(token, check, error);
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(ok->at("tenant").as_string(), "acme");

  check.now_unix = 2001;
  EXPECT_FALSE(jwt_verify_hs256(token, check, error));
  EXPECT_EQ(error, "JWT has expired");
  check.now_unix = 1000;

  JwtCheck wrong_secret{"another-secret-of-16+", 1000, 0, "", ""};
  EXPECT_FALSE(jwt_verify_hs256(token, wrong_secret, error));
  EXPECT_EQ(error, "JWT signature does not match");

  // Same signature, other claims: refused.
  auto dot = token.find('.');
  auto dot2 = token.find('.', dot + 1);
  std::string forged = token.substr(0, dot + 1) +
                       base64url_encode(R"({"sub":"u1","tenant":"globex","exp":2000})") +
                       token.substr(dot2);
  EXPECT_FALSE(jwt_verify_hs256(forged, check, error));

  std::string none =
      base64url_encode(R"({"alg":"none"})") + "." + base64url_encode(R"({"tenant":"acme"})") + ".";
  EXPECT_FALSE(jwt_verify_hs256(none, check, error));
  EXPECT_EQ(error, "JWT algorithm must be HS256");
  EXPECT_FALSE(jwt_verify_hs256("garbage", check, error));

  JwtCheck with_issuer{kSecret, 1000, 0, "issuer-x", ""};
  EXPECT_FALSE(jwt_verify_hs256(token, with_issuer, error));
}

TEST(Jwt, RefusesTimeClaimsThatAreNotNumbers) {
  JwtCheck check{kSecret, 1000, 0, "", ""};
  std::string error;
  for (const char* claim : {"exp", "nbf", "iat"}) {
    for (boost::json::value odd : {boost::json::value("9999999999"), boost::json::value(nullptr),
                                   boost::json::value(boost::json::object{{"at", 5}})}) {
      boost::json::object claims{{"tenant", "acme"}, {"exp", 2000}};
      claims[claim] = odd;
      EXPECT_FALSE(jwt_verify_hs256(jwt_sign_hs256(claims, kSecret), check, error))
          << claim << " = " << boost::json::serialize(odd);
      EXPECT_EQ(error,
                "JWT claim '" + std::string(claim) + "' must be a number (seconds since 1970)");
    }
  }
  // Numbers, integral or not, are fine.
  boost::json::object claims{{"tenant", "acme"}, {"exp", 2000.5}, {"nbf", 999}, {"iat", 999.0}};
  EXPECT_TRUE(jwt_verify_hs256(jwt_sign_hs256(claims, kSecret), check, error)) << error;
}

TEST(Authenticator, StaticTokensMapToLimits) {
  std::vector<std::string> errors;
  auto config = parse_auth(R"({"mode":"tokens","tokens":[
      {"token":"t-acme","tenant":"acme","capabilities":["tracking"],"scopes":{"site":["s1"]}},
      {"token":"t-root","tenant":"*","admin":true}]})",
                           errors);
  ASSERT_TRUE(errors.empty()) << SettingsSpec::join(errors);
  FakeClock clock;
  Authenticator auth(config, kIndex, clock);
  std::string error;
  auto acme = auth.authenticate("t-acme", error);
  ASSERT_TRUE(acme);
  EXPECT_EQ(acme->tenant, "acme");
  EXPECT_EQ(acme->constraints.at("tenant"), std::vector<std::string>{"acme"});
  EXPECT_EQ(acme->constraints.at("kind"), std::vector<std::string>{"tracking"});
  EXPECT_EQ(acme->constraints.at("site"), std::vector<std::string>{"s1"});
  EXPECT_FALSE(acme->admin);
  auto root = auth.authenticate("t-root", error);
  ASSERT_TRUE(root);
  EXPECT_TRUE(root->constraints.empty());
  EXPECT_TRUE(root->admin);
  EXPECT_FALSE(auth.authenticate("nope", error));
  EXPECT_EQ(error, "unknown token");
  EXPECT_FALSE(auth.authenticate("", error));
}

TEST(Authenticator, JwtClaimsMapToLimits) {
  std::vector<std::string> errors;
  auto config = parse_auth(R"({"mode":"jwt","secret":")" + kSecret + R"("})", errors);
  ASSERT_TRUE(errors.empty()) << SettingsSpec::join(errors);
  FakeClock clock;
  clock.set_unix(1000);
  Authenticator auth(config, kIndex, clock);
  std::string error;
  auto token = jwt_sign_hs256({{"sub", "alice"},
                               {"tenant", "acme"},
                               {"capabilities", "tracking alarm"},
                               {"scopes", {{"site", {"s1", "s2"}}}},
                               {"exp", 1100}},
                              kSecret);
  auto id = auth.authenticate(token, error);
  ASSERT_TRUE(id) << error;
  EXPECT_EQ(id->name, "alice");
  EXPECT_EQ(id->constraints.at("kind"), (std::vector<std::string>{"tracking", "alarm"}));
  EXPECT_EQ(id->constraints.at("site"), (std::vector<std::string>{"s1", "s2"}));
  clock.set_unix(1200);
  EXPECT_FALSE(auth.authenticate(token, error));  // expired (leeway 30 s)
  clock.set_unix(1000);
  auto no_tenant = jwt_sign_hs256({{"sub", "bob"}}, kSecret);
  EXPECT_FALSE(auth.authenticate(no_tenant, error));
  auto bad_scope = jwt_sign_hs256({{"tenant", "acme"}, {"scopes", {{"farm", {"f1"}}}}}, kSecret);
  EXPECT_FALSE(auth.authenticate(bad_scope, error));
  EXPECT_NE(error.find("farm"), std::string::npos);
}

TEST(AuthConfig, ReportsEveryMistake) {
  std::vector<std::string> errors;
  parse_auth(R"({"mode":"tokens","tokens":[{"token":"a"},{"tenant":"x"},
      {"token":"b","tenant":"x","scopes":{"planet":["p"]},"colour":1}]})",
             errors);
  std::string all = SettingsSpec::join(errors);
  EXPECT_NE(all.find("auth.tokens[0].tenant is required"), std::string::npos) << all;
  EXPECT_NE(all.find("auth.tokens[1].token is required"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown key 'colour'"), std::string::npos) << all;
  EXPECT_NE(all.find("scope 'planet' is not an index name"), std::string::npos) << all;
  errors.clear();
  parse_auth(R"({"mode":"jwt","secret":"short"})", errors);
  EXPECT_NE(SettingsSpec::join(errors).find("at least 16 bytes"), std::string::npos);
  errors.clear();
  parse_auth(R"({"mode":"magic"})", errors);
  EXPECT_EQ(errors.size(), 1u);
}

TEST(ControlFrames, ParsesSubscribeWithFilterAndThrottle) {
  auto r = parse_control_frame(
      R"({"type":"subscribe","id":"s1","filter":{"device":["a","b"],"site":7,"subject":"tracking.*"},
          "throttle":{"rate":2,"keep_latest":true,"min_interval_ms":100,"burst":3,"buffer":5}})",
      100);
  ASSERT_TRUE(std::holds_alternative<ControlFrame>(r));
  auto& sub = std::get<SubscribeRequest>(std::get<ControlFrame>(r));
  EXPECT_EQ(sub.id, "s1");
  EXPECT_EQ(sub.fields.at("device"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(sub.fields.at("site"), std::vector<std::string>{"7"});
  EXPECT_EQ(sub.subject, "tracking.*");
  EXPECT_EQ(sub.throttle.rate, 2.0);
  EXPECT_EQ(sub.throttle.keep_latest, true);
  EXPECT_EQ(sub.throttle.min_interval_ms, 100);
  EXPECT_EQ(sub.throttle.buffer, 5);
}

std::string error_code(std::string_view text) {
  auto r = parse_control_frame(text, 3);
  if (auto* e = std::get_if<ProtocolError>(&r)) return e->code;
  return "ok";
}

TEST(ControlFrames, RejectsMalformedFramesWithCodes) {
  EXPECT_EQ(error_code("{not json"), "bad_json");
  EXPECT_EQ(error_code("[1,2]"), "bad_frame");
  EXPECT_EQ(error_code(R"({"id":"x"})"), "bad_frame");
  EXPECT_EQ(error_code(R"({"type":"dance"})"), "unknown_type");
  EXPECT_EQ(error_code(R"({"type":"subscribe"})"), "bad_frame");
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":"x","colour":1})"), "unknown_field");
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":"x","throttle":{"speed":1}})"), "unknown_field");
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":"x","throttle":{"rate":-1}})"), "bad_frame");
  // Found by fuzzing: 1e300 reached a cast to int64_t (undefined behaviour).
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":"x","throttle":{"min_interval_ms":1e300}})"),
            "bad_frame");
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":"x","throttle":{"min_interval_ms":86400001}})"),
            "bad_frame");
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":"x","throttle":{"min_interval_ms":86400000}})"),
            "ok");
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":"x","throttle":{"buffer":1e300}})"),
            "bad_frame");
  // boost::json reads 0e400 as NaN and 1e400 as infinity.
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":"x","throttle":{"min_interval_ms":0e400}})"),
            "bad_frame");
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":"x","throttle":{"rate":0e400}})"), "bad_frame");
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":"x","throttle":{"burst":1e400}})"), "bad_frame");
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":"x","filter":{"d":[]}})"), "bad_filter");
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":"x","filter":{"d":[1,2,3,4]}})"), "bad_filter");
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":"x","filter":{"d":{"a":1}}})"), "bad_filter");
  EXPECT_EQ(error_code(R"({"type":"subscribe","id":")" + std::string(65, 'x') + R"("})"),
            "bad_frame");
  EXPECT_EQ(error_code(R"({"type":"unsubscribe","id":"x","extra":1})"), "unknown_field");
  EXPECT_EQ(error_code(R"({"type":"ping","id":42})"), "ok");
}

TEST(ControlFrames, AnswersAreJson) {
  auto e = boost::json::parse(error_frame({"forbidden", "no \"way\"", "s1"}));
  EXPECT_EQ(e.at("type").as_string(), "error");
  EXPECT_EQ(e.at("code").as_string(), "forbidden");
  EXPECT_EQ(e.at("id").as_string(), "s1");
  auto p = boost::json::parse(pong_frame("42", 99));
  EXPECT_EQ(p.at("id").as_int64(), 42);
  EXPECT_EQ(p.at("ts").as_int64(), 99);
}

std::vector<std::string> settings_errors(const std::string& json) {
  std::vector<std::string> errors = websocket_settings().validate(json);
  if (!errors.empty()) return errors;
  read_options(websocket_settings().parse(json), errors);
  return errors;
}

TEST(Settings, DefaultsAreValid) { EXPECT_TRUE(settings_errors("{}").empty()); }

TEST(Settings, CrossChecksIndexQueryParamsAndStreamKey) {
  auto errors = settings_errors(R"({"index":{"device":"data.DEVICE_ID","subject":"x","bad":"a..b"},
      "query_params":{"device_ids":"device","ids":"nope","token":"device"},
      "stream_key":"colour","paths":["/ok","nope","/ok"],"tls_cert":"c.pem","listen":"x"})");
  std::string all = SettingsSpec::join(errors);
  for (const char* expected : {"index.subject", "index.bad", "query_params.ids",
                               "query_params.token", "setting 'stream_key'", "paths: 'nope'",
                               "paths: '/ok' is listed twice", "tls_key", "setting 'listen'"})
    EXPECT_NE(all.find(expected), std::string::npos) << expected << " not in: " << all;
  EXPECT_EQ(all.find("query_params.device_ids"), std::string::npos) << all;
}

TEST(Settings, ReadmeTableIsGeneratedFromTheSpec) {
  std::string table = websocket_settings().markdown_table();
  EXPECT_NE(table.find("| `listen` | string | `\"127.0.0.1:8080\"` |"), std::string::npos);
  EXPECT_NE(table.find("| `slow_client_policy` | drop_oldest \\| keep_latest \\| disconnect |"),
            std::string::npos);
  std::string readme = test::read_file(test::source_dir() + "/plugins/websocket/README.md");
  EXPECT_NE(readme.find(table), std::string::npos)
      << "plugins/websocket/README.md must hold websocket_settings().markdown_table() verbatim";
}

}  // namespace
}  // namespace sluice::websocket
