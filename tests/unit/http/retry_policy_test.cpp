// How the client treats answers: which complete, which are retried and
// when, which fail for good.
#include "retry_policy.hpp"

#include <gtest/gtest.h>

#include "polled_document.hpp"
#include "url.hpp"

namespace sluice::http_plugin {
namespace {

using namespace std::chrono_literals;

TEST(RetryPolicy, ClassifiesStatuses) {
  EXPECT_EQ(classify_status(200), Verdict::kDone);
  EXPECT_EQ(classify_status(204), Verdict::kDone);
  EXPECT_EQ(classify_status(429), Verdict::kRetry);
  EXPECT_EQ(classify_status(500), Verdict::kRetry);
  EXPECT_EQ(classify_status(503), Verdict::kRetry);
  EXPECT_EQ(classify_status(400), Verdict::kReject);
  EXPECT_EQ(classify_status(404), Verdict::kReject);
  EXPECT_EQ(classify_status(301), Verdict::kReject);
}

TEST(RetryPolicy, HonoursRetryAfterSecondsAndDates) {
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_retry_after("3", now), 3000ms);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now), 10000ms);
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("", now));
  common::BackoffPolicy policy{100, 5000, 0.5, 1.0};
  EXPECT_EQ(retry_delay(policy, 1, 3000ms, 0.0), 3000ms);
  EXPECT_EQ(retry_delay(policy, 1, 60000ms, 0.0), 5000ms);  // capped
  EXPECT_EQ(retry_delay(policy, 3, std::nullopt, 1.0), 400ms);
}

TEST(Url, ParsesHttpAndHttps) {
  std::string error;
  auto u = parse_url("https://svc.example:8443/orders/1?x=y", error);
  ASSERT_TRUE(u) << error;
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "svc.example");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/orders/1?x=y");
  auto plain = parse_url("http://[::1]", error);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->host, "::1");
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/");
  EXPECT_FALSE(parse_url("http://user:pw@x/", error));
  EXPECT_FALSE(parse_url("http://x:99999/", error));
}

TEST(Poller, ReadsTheArrayAtAPath) {
  auto d = read_document(R"({"data":{"items":[{"id":1},{"id":2}]}})", "data.items");
  EXPECT_EQ(d.payloads, (std::vector<std::string>{R"({"id":1})", R"({"id":2})"}));
  EXPECT_FALSE(read_document(R"({"data":{}})", "data.items").error.empty());
  EXPECT_EQ(read_document("plain", "").payloads, std::vector<std::string>{"plain"});
}

}  // namespace
}  // namespace sluice::http_plugin
