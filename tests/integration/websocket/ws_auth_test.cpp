// Auth through `sluice run`: static tokens and HS256 JWTs map to tenants,
// capabilities and scopes; a client never receives another tenant's event.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "jwt.hpp"
#include "ws_harness.hpp"

namespace sluice::websocket::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

const char* kTokens = R"(    auth:
      mode: tokens
      tokens:
        - {token: acme-token, tenant: acme, capabilities: [tracking], scopes: {site: [s1]}}
        - {token: globex-token, tenant: globex}
        - {token: admin-token, tenant: "*", admin: true}
)";

WsClientOptions bearer(const std::string& token) {
  WsClientOptions o;
  o.headers["Authorization"] = "Bearer " + token;
  return o;
}

std::vector<int64_t> ns_of(const std::vector<std::string>& frames) {
  std::vector<int64_t> out;
  for (const auto& f : frames) {
    auto v = json::parse(f);
    const auto& payload = v.as_object().contains("payload") ? v.at("payload") : v;
    out.push_back(payload.at("n").as_int64());
  }
  return out;
}

TEST(WebSocketAuth, TenantsCapabilitiesAndScopesAreEnforced) {
  SluiceWs sluice(kTokens);
  auto acme = sluice.connect("/api/v1/stream", bearer("acme-token"));
  auto globex = sluice.connect("/api/v1/stream?token=globex-token");  // browsers: query token
  ASSERT_TRUE(acme->connected()) << acme->http_status() << " " << acme->http_body();
  ASSERT_TRUE(globex->connected()) << globex->http_status() << " " << globex->http_body();

  // Asking for another tenant, kind or site is refused; the connection stays.
  acme->send(R"({"type":"subscribe","id":"x","filter":{"tenant":"globex"}})");
  auto refused = json::parse(*acme->next());
  EXPECT_EQ(refused.at("code").as_string(), "forbidden");
  acme->send(R"({"type":"subscribe","id":"y","filter":{"kind":["tracking","alarm"]}})");
  EXPECT_EQ(json::parse(*acme->next()).at("code").as_string(), "forbidden");

  // "Everything" means everything this identity may see.
  acme->send(R"({"type":"subscribe","id":"all","filter":{}})");
  auto granted = json::parse(*acme->next());
  ASSERT_EQ(granted.at("type").as_string(), "subscribed") << granted;
  EXPECT_EQ(granted.at("filter").at("tenant").as_array()[0].as_string(), "acme");
  globex->send(R"({"type":"subscribe","id":"all","filter":{}})");
  ASSERT_EQ(json::parse(*globex->next()).at("type").as_string(), "subscribed");

  sluice.feed(tracking_event("d1", 1, "acme", "tracking", "s1"));
  sluice.feed(tracking_event("d1", 2, "acme", "alarm", "s1"));
  sluice.feed(tracking_event("d1", 3, "acme", "tracking", "s2"));
  sluice.feed(tracking_event("d1", 4, "globex", "tracking", "s1"));
  sluice.feed(R"({"data":{"DEVICE_ID":"d1"},"kind":"tracking","site":"s1","n":5})");  // no tenant
  sluice.feed(tracking_event("d1", 6, "globex", "alarm", "s9"));
  sluice.feed(tracking_event("d1", 7, "acme", "tracking", "s1"));

  ASSERT_TRUE(acme->wait_received(5, 10s));  // 3 answers + 2 events
  ASSERT_TRUE(globex->wait_received(3, 10s));
  std::this_thread::sleep_for(300ms);  // let anything wrongly routed arrive too
  auto acme_frames = acme->take_all();
  auto globex_frames = globex->take_all();
  EXPECT_EQ(ns_of(acme_frames), (std::vector<int64_t>{1, 7}));
  EXPECT_EQ(ns_of(globex_frames), (std::vector<int64_t>{4, 6}));
}

TEST(WebSocketAuth, BadTokensAndForbiddenUrlFiltersAreRefusedBeforeTheUpgrade) {
  SluiceWs sluice(kTokens);
  auto none = sluice.connect("/api/v1/stream");
  EXPECT_FALSE(none->connected());
  EXPECT_EQ(none->http_status(), 401);
  EXPECT_NE(none->http_body().find("token is required"), std::string::npos);
  auto wrong = sluice.connect("/api/v1/stream", bearer("guess"));
  EXPECT_EQ(wrong->http_status(), 401);
  auto outside = sluice.connect("/api/v1/stream?sites=s1,s2&token=acme-token");
  EXPECT_EQ(outside->http_status(), 403);
  EXPECT_NE(outside->http_body().find("'s2'"), std::string::npos) << outside->http_body();
  auto inside = sluice.connect("/api/v1/stream?sites=s1&device_ids=d1&token=acme-token");
  EXPECT_TRUE(inside->connected()) << inside->http_body();
  // The clients listing needs an admin identity.
  EXPECT_EQ(sluice.get("/api/v1/stream/clients").status, 401);
  auto listing = test::http_request("127.0.0.1", sluice.port(), "GET", "/api/v1/stream/clients", "",
                                    {{"Authorization", "Bearer acme-token"}});
  EXPECT_EQ(listing.status, 403);
  listing = test::http_request("127.0.0.1", sluice.port(), "GET", "/api/v1/stream/clients", "",
                               {{"Authorization", "Bearer admin-token"}});
  EXPECT_EQ(listing.status, 200);
  EXPECT_TRUE(sluice.running());
}

TEST(WebSocketAuth, JwtIdentities) {
  const std::string secret = "a-secret-of-at-least-16-bytes";
  SluiceWs sluice("    auth: {mode: jwt, secret: " + secret + ", issuer: tests}\n");
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto token = jwt_sign_hs256(
      {{"sub", "alice"}, {"tenant", "acme"}, {"iss", "tests"}, {"exp", now + 600}}, secret);
  auto expired = jwt_sign_hs256(
      {{"sub", "alice"}, {"tenant", "acme"}, {"iss", "tests"}, {"exp", now - 600}}, secret);
  auto forged =
      jwt_sign_hs256({{"sub", "mallory"}, {"tenant", "acme"}, {"iss", "tests"}, {"exp", now + 600}},
                     "not-the-right-secret-at-all");
  auto wrong_issuer = jwt_sign_hs256({{"tenant", "acme"}, {"iss", "other"}}, secret);
  // A string is no NumericDate: not "no expiry".
  auto string_exp = jwt_sign_hs256(
      {{"tenant", "acme"}, {"iss", "tests"}, {"exp", std::to_string(now - 600)}}, secret);

  EXPECT_EQ(sluice.connect("/api/v1/stream", bearer(expired))->http_status(), 401);
  EXPECT_EQ(sluice.connect("/api/v1/stream", bearer(forged))->http_status(), 401);
  EXPECT_EQ(sluice.connect("/api/v1/stream", bearer(wrong_issuer))->http_status(), 401);
  auto refused = sluice.connect("/api/v1/stream", bearer(string_exp));
  EXPECT_EQ(refused->http_status(), 401);
  EXPECT_NE(refused->http_body().find("'exp' must be a number"), std::string::npos)
      << refused->http_body();
  EXPECT_EQ(sluice.connect("/api/v1/stream", bearer("not.a.jwt"))->http_status(), 401);

  auto alice = sluice.connect("/api/v1/stream?device_ids=d1", bearer(token));
  ASSERT_TRUE(alice->connected()) << alice->http_body();
  sluice.feed(tracking_event("d1", 1, "globex"));
  sluice.feed(tracking_event("d1", 2, "acme"));
  auto got = alice->next();
  ASSERT_TRUE(got);
  EXPECT_EQ(json::parse(*got).at("n").as_int64(), 2);
}

TEST(WebSocketAuth, OriginAllowListAndClientLimit) {
  SluiceWs sluice("    allowed_origins: [\"https://app.example.com\"]\n    max_clients: 2\n");
  WsClientOptions evil;
  evil.headers["Origin"] = "https://evil.example.com";
  auto refused = sluice.connect("/api/v1/stream", evil);
  EXPECT_EQ(refused->http_status(), 403);
  WsClientOptions good;
  good.headers["Origin"] = "https://app.example.com";
  auto a = sluice.connect("/api/v1/stream", good);
  auto b = sluice.connect("/api/v1/stream");  // no Origin: not a browser, allowed
  ASSERT_TRUE(a->connected() && b->connected());
  auto third = sluice.connect("/api/v1/stream");
  EXPECT_EQ(third->http_status(), 503);
  a->close();
  ASSERT_TRUE(test::wait_until([&] { return sluice.client_count() == 1; }, 10s));
  EXPECT_TRUE(sluice.connect("/api/v1/stream")->connected());
}

}  // namespace
}  // namespace sluice::websocket::testing
