// What the webhook server answers before emitting anything, and what the
// messages it emits look like: paths, methods, auth, content type, splitting.
#include "webhook_request.hpp"

#include <gtest/gtest.h>

#include "body_split.hpp"
#include "path_template.hpp"
#include "request_auth.hpp"

namespace sluice::http_plugin {
namespace {

PathTemplate path(const std::string& text) {
  std::string error;
  auto t = PathTemplate::compile(text, error);
  EXPECT_TRUE(t) << error;
  return *t;
}

TEST(PathTemplate, TakesTheSubjectFromTheRestOfThePath) {
  auto m = path("/ingest/${subject}").match("/ingest/orders/eu");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->subject, "orders/eu");
  EXPECT_FALSE(path("/ingest/${subject}").match("/ingest/"));
  EXPECT_FALSE(path("/ingest/${subject}").match("/other/x"));
}

TEST(PathTemplate, MiddlePlaceholdersMatchOneSegmentAndBecomeCaptures) {
  auto m = path("/hooks/${source}/events").match("/hooks/github/events");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->subject, "hooks/github/events");
  ASSERT_EQ(m->captures.size(), 1u);
  EXPECT_EQ(m->captures[0], (std::pair<std::string, std::string>{"source", "github"}));
  EXPECT_FALSE(path("/hooks/${source}/events").match("/hooks/a/b/events"));
  EXPECT_FALSE(path("/hooks/${source}/events").match("/hooks/github/events/x"));
}

TEST(PathTemplate, LiteralPathMatchesExactly) {
  EXPECT_TRUE(path("/github").match("/github"));
  EXPECT_FALSE(path("/github").match("/github2"));
  EXPECT_EQ(path("/github").match("/github")->subject, "github");
}

TEST(PathTemplate, RefusesMalformedTemplates) {
  std::string error;
  EXPECT_FALSE(PathTemplate::compile("/a/${}", error));
  EXPECT_FALSE(PathTemplate::compile("/a/${x}${y}", error));
  EXPECT_FALSE(PathTemplate::compile("/a/${x}/${x}", error));
  EXPECT_FALSE(PathTemplate::compile("a", error));
}

TEST(BodySplit, SplitsArraysAndLinesAndRefusesBadJson) {
  auto whole = split_body("not json", Split::kNone, false);
  EXPECT_EQ(whole.payloads, std::vector<std::string>{"not json"});
  EXPECT_FALSE(split_body("not json", Split::kNone, true).error.empty());

  auto array = split_body(R"([{"a":1}, 2, "x"])", Split::kJsonArray, true);
  EXPECT_EQ(array.payloads, (std::vector<std::string>{R"({"a":1})", "2", R"("x")"}));
  EXPECT_NE(split_body(R"({"a":1})", Split::kJsonArray, true).error.find("JSON array"),
            std::string::npos);

  auto lines = split_body("{\"a\":1}\r\n\n{\"b\":2}\n", Split::kJsonLines, true);
  EXPECT_EQ(lines.payloads, (std::vector<std::string>{R"({"a":1})", R"({"b":2})"}));
  auto bad = split_body("{\"a\":1}\n{oops\n", Split::kJsonLines, true);
  EXPECT_TRUE(bad.payloads.empty());
  EXPECT_NE(bad.error.find("line 2"), std::string::npos);
}

TEST(RequestAuth, HmacMatchesGithubStyleSignatures) {
  // RFC 4231 test case 2.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  AuthConfig config;
  config.mode = AuthMode::kHmac;
  config.hmac_secret = "s3cret";
  std::string good = "sha256=" + hmac_sha256_hex("s3cret", "{}");
  EXPECT_FALSE(check_auth(config, "", good, "{}"));
  EXPECT_TRUE(check_auth(config, "", good, "{ }"));
  EXPECT_TRUE(check_auth(config, "", "", "{}"));
  EXPECT_TRUE(check_auth(config, "", "sha1=abc", "{}"));
}

TEST(RequestAuth, BearerTokens) {
  AuthConfig config;
  config.mode = AuthMode::kBearer;
  config.tokens = {"t1", "t2"};
  EXPECT_FALSE(check_auth(config, "Bearer t2", "", ""));
  EXPECT_FALSE(check_auth(config, "bearer t1", "", ""));
  EXPECT_TRUE(check_auth(config, "Bearer t3", "", ""));
  EXPECT_TRUE(check_auth(config, "", "", ""));
}

ServerOptions server_options() {
  HttpSettings s = http_settings().parse(R"({"paths": ["/ingest/${subject}"]})");
  std::vector<std::string> errors;
  return read_options(s, errors).server;
}

Request post(const std::string& target, const std::string& body) {
  Request r{http::verb::post, target, 11};
  r.set(http::field::content_type, "application/json");
  r.set("X-Request-Id", "abc");
  r.set(http::field::authorization, "Bearer secret");
  r.body() = body;
  r.prepare_payload();
  return r;
}

TEST(WebhookRequest, RefusesUnknownPathsAndMethods) {
  auto options = server_options();
  EXPECT_EQ(prepare_request(options, post("/nope", "{}"), "r").status, 404u);
  Request get = post("/ingest/x", "{}");
  get.method(http::verb::get);
  EXPECT_EQ(prepare_request(options, get, "r").status, 405u);
}

TEST(WebhookRequest, HeadersAndQueryBecomeMessageHeadersButCredentialsDoNot) {
  auto options = server_options();
  auto p = prepare_request(options, post("/ingest/orders?tenant=a%20b", "{\"id\":1}"), "r");
  ASSERT_EQ(p.status, 0u) << p.error;
  ASSERT_EQ(p.messages.size(), 1u);
  const auto& m = p.messages[0];
  EXPECT_EQ(m.subject, "orders");
  EXPECT_EQ(m.payload, "{\"id\":1}");
  auto has = [&](const std::string& n, const std::string& v) {
    for (const auto& h : m.headers)
      if (h.first == n && h.second == v) return true;
    return false;
  };
  EXPECT_TRUE(has("x-request-id", "abc"));
  EXPECT_TRUE(has("query.tenant", "a b"));
  for (const auto& h : m.headers) EXPECT_NE(h.first, "authorization");
}

TEST(WebhookRequest, RequireJsonChecksContentTypeAndBody) {
  auto options = server_options();
  options.require_json = true;
  Request r = post("/ingest/x", "{");
  EXPECT_EQ(prepare_request(options, r, "r").status, 400u);
  r.set(http::field::content_type, "text/plain");
  EXPECT_EQ(prepare_request(options, r, "r").status, 415u);
}

}  // namespace
}  // namespace sluice::http_plugin
