// The websocket sink through `sluice run` with real WebSocket clients:
// URL filters, control frames, formats and per-client throttles.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ws_harness.hpp"

namespace sluice::websocket::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

json::value parse(const std::optional<std::string>& text) {
  EXPECT_TRUE(text.has_value()) << "no message arrived in time";
  return text ? json::parse(*text) : json::value();
}

// Reads messages until one satisfies `last` (bounded by time); returns all.
std::vector<std::string> read_until(WsTestClient& client,
                                    const std::function<bool(const std::string&)>& last,
                                    std::chrono::milliseconds timeout = 15s) {
  std::vector<std::string> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = client.next(100ms);
    if (!m) continue;
    out.push_back(*m);
    if (last(*m)) break;
  }
  return out;
}

bool has_n(const std::string& frame, int n) {
  return frame.find("\"n\":" + std::to_string(n) + "}") != std::string::npos;
}

TEST(WebSocketSink, QueryParamFiltersByDeviceIdsAndDeliversPayloadsAsIs) {
  SluiceWs sluice;
  auto a = sluice.connect("/api/v1/stream?device_ids=0848086001,0848086002");
  auto b = sluice.connect("/api/v1/stream?device_ids=0848086003");
  ASSERT_TRUE(a->connected()) << a->error();
  ASSERT_TRUE(b->connected()) << b->error();
  ASSERT_TRUE(test::wait_until([&] { return sluice.client_count() == 2; }, 10s));

  sluice.feed(tracking_event("0848086001", 1));
  sluice.feed(tracking_event("0848086003", 2));
  sluice.feed(tracking_event("0848086004", 3));
  sluice.feed(tracking_event("0848086002", 4));
  sluice.feed(tracking_event("0848086003", 5));
  sluice.feed(tracking_event("0848086001", 6));  // the last one a sees

  auto got_a = read_until(*a, [](const std::string& m) { return has_n(m, 6); });
  EXPECT_EQ(got_a, (std::vector<std::string>{tracking_event("0848086001", 1),
                                             tracking_event("0848086002", 4),
                                             tracking_event("0848086001", 6)}));
  auto got_b = read_until(*b, [](const std::string& m) { return has_n(m, 5); });
  EXPECT_EQ(got_b, (std::vector<std::string>{tracking_event("0848086003", 2),
                                             tracking_event("0848086003", 5)}));
  EXPECT_TRUE(b->take_all().empty());
}

TEST(WebSocketSink, ControlFramesSubscribeUnsubscribeAndPing) {
  SluiceWs sluice;
  auto c = sluice.connect("/api/v1/stream?format=envelope");
  ASSERT_TRUE(c->connected()) << c->error();
  c->send(R"({"type":"subscribe","id":"s1","filter":{"device":["d1"]}})");
  auto subscribed = parse(c->next());
  EXPECT_EQ(subscribed.at("type").as_string(), "subscribed");
  EXPECT_EQ(subscribed.at("id").as_string(), "s1");
  EXPECT_EQ(subscribed.at("filter").at("device").as_array()[0].as_string(), "d1");

  sluice.feed(tracking_event("d2", 1));
  sluice.feed(tracking_event("d1", 2));
  auto event = parse(c->next());
  EXPECT_EQ(event.at("sub").as_string(), "s1");
  EXPECT_EQ(event.at("subject").as_string(), "tracking.data");
  EXPECT_GT(event.at("ts").as_int64(), 1'600'000'000'000);
  EXPECT_EQ(event.at("payload").at("n").as_int64(), 2);

  c->send(R"({"type":"unsubscribe","id":"s1"})");
  EXPECT_EQ(parse(c->next()).at("type").as_string(), "unsubscribed");
  c->send(R"({"type":"subscribe","id":"s2","filter":{"device":"d9","subject":"tracking.*"}})");
  EXPECT_EQ(parse(c->next()).at("type").as_string(), "subscribed");
  sluice.feed(tracking_event("d1", 3));  // nobody wants it any more
  sluice.feed(tracking_event("d9", 4));
  auto next = parse(c->next());
  EXPECT_EQ(next.at("sub").as_string(), "s2");
  EXPECT_EQ(next.at("payload").at("n").as_int64(), 4);

  c->send(R"({"type":"ping","id":"p1"})");
  auto pong = parse(c->next());
  EXPECT_EQ(pong.at("type").as_string(), "pong");
  EXPECT_EQ(pong.at("id").as_string(), "p1");
  c->send(R"({"type":"unsubscribe","id":"nope"})");
  auto error = parse(c->next());
  EXPECT_EQ(error.at("type").as_string(), "error");
  EXPECT_EQ(error.at("code").as_string(), "unknown_subscription");
}

// The server reads a control message in pieces of at most 128 bytes (an
// idle client keeps no larger buffer): a long one is put back together, and
// messages that arrive together are each answered, in order.
TEST(WebSocketSink, LongAndBackToBackControlFramesAreEachAnswered) {
  SluiceWs sluice;
  auto c = sluice.connect("/api/v1/stream?format=envelope");
  ASSERT_TRUE(c->connected()) << c->error();
  std::string devices;
  for (int i = 0; i < 200; ++i)
    devices += (i ? ",\"" : "\"") + std::string("device-") + std::to_string(i) + "\"";
  std::string subscribe =
      R"({"type":"subscribe","id":"many","filter":{"device":[)" + devices + "]}}";
  ASSERT_GT(subscribe.size(), 2000u);
  c->send(subscribe);
  for (int i = 0; i < 5; ++i) c->send(R"({"type":"ping","id":"p)" + std::to_string(i) + R"("})");
  auto subscribed = parse(c->next());
  ASSERT_EQ(subscribed.at("type").as_string(), "subscribed");
  EXPECT_EQ(subscribed.at("filter").at("device").as_array().size(), 200u);
  for (int i = 0; i < 5; ++i) {
    auto pong = parse(c->next());
    EXPECT_EQ(pong.at("type").as_string(), "pong");
    EXPECT_EQ(pong.at("id").as_string(), "p" + std::to_string(i));
  }
  sluice.feed(tracking_event("device-199", 1));
  auto event = parse(c->next());
  EXPECT_EQ(event.at("sub").as_string(), "many");
  EXPECT_EQ(event.at("payload").at("n").as_int64(), 1);
}

TEST(WebSocketSink, ThrottleKeepsTheLatestPerDeviceForOneClientOnly) {
  SluiceWs sluice;
  auto throttled = sluice.connect("/api/v1/stream?format=envelope");
  auto full = sluice.connect("/api/v1/stream?device_ids=d1,d2");
  ASSERT_TRUE(throttled->connected() && full->connected());
  throttled->send(
      R"({"type":"subscribe","id":"t","filter":{"device":["d1","d2"]},"throttle":{"rate":1,"keep_latest":true}})");
  auto granted = parse(throttled->next());
  ASSERT_EQ(granted.at("type").as_string(), "subscribed") << granted;
  EXPECT_EQ(granted.at("throttle").at("rate").to_number<double>(), 1.0);

  for (int n = 0; n < 40; ++n) sluice.feed(tracking_event(n % 2 ? "d2" : "d1", n));
  // The unthrottled client gets all 40, in order.
  ASSERT_TRUE(full->wait_received(40, 15s));
  auto all = full->take_all();
  for (int n = 0; n < 40; ++n) EXPECT_TRUE(has_n(all[n], n)) << all[n];

  // The throttled one: the first of each device at once, then only the
  // newest of each (38 and 39) when the next token frees, about 1 s later.
  // received() counts the "subscribed" answer too: 1 + 4 events.
  ASSERT_TRUE(throttled->wait_received(5, 5s)) << throttled->received();
  std::map<std::string, std::vector<int64_t>> per_device;
  std::string seen;  // what arrived, for the failure message
  for (const auto& m : throttled->take_all()) {
    seen += m + "\n";
    auto v = json::parse(m);
    per_device[std::string(v.at("payload").at("data").at("DEVICE_ID").as_string())].push_back(
        v.at("payload").at("n").as_int64());
  }
  EXPECT_EQ(per_device["d1"], (std::vector<int64_t>{0, 38})) << seen;
  EXPECT_EQ(per_device["d2"], (std::vector<int64_t>{1, 39})) << seen;
  EXPECT_FALSE(throttled->next(1500ms).has_value());

  auto listing = json::parse(sluice.clients_json());
  uint64_t throttled_count = 0, full_throttled = 1;
  for (const auto& c : listing.at("clients").as_array()) {
    if (c.at("format").as_string() == "envelope")
      throttled_count = c.at("throttled").to_number<uint64_t>();
    else
      full_throttled = c.at("throttled").to_number<uint64_t>();
  }
  EXPECT_EQ(throttled_count, 36u);
  EXPECT_EQ(full_throttled, 0u);
}

TEST(WebSocketSink, ConfiguredCapsApplyToUrlSubscriptions) {
  SluiceWs sluice("    max_rate: 0.5\n    keep_latest: true\n");
  auto c = sluice.connect("/api/v1/stream?device_ids=d1");
  ASSERT_TRUE(c->connected());
  for (int n = 0; n < 20; ++n) sluice.feed(tracking_event("d1", n));
  ASSERT_TRUE(c->wait_received(2, 5s));
  auto frames = c->take_all();
  EXPECT_TRUE(has_n(frames[0], 0));
  EXPECT_TRUE(has_n(frames[1], 19));
  EXPECT_FALSE(c->next(1500ms).has_value());
}

TEST(WebSocketSink, ViewerClientsListingAndPlainHttp) {
  SluiceWs sluice("    viewer: true\n");
  auto page = sluice.get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("sluice live viewer"), std::string::npos);
  EXPECT_NE(page.body.find(R"("path":"/api/v1/stream")"), std::string::npos);
  EXPECT_EQ(page.body.find("__SLUICE_VIEWER_CONFIG__"), std::string::npos);
  EXPECT_EQ(page.body.find("http://"), std::string::npos) << "the page loads nothing external";
  EXPECT_EQ(sluice.get("/api/v1/stream").status, 426);
  EXPECT_EQ(sluice.get("/nope").status, 404);
  auto c = sluice.connect("/api/v1/stream?device_ids=d1");
  ASSERT_TRUE(test::wait_until([&] { return sluice.client_count() == 1; }, 10s));
  sluice.feed(tracking_event("d1", 1));
  ASSERT_TRUE(c->wait_received(1, 10s));
  ASSERT_TRUE(test::wait_until(
      [&] {
        auto v = json::parse(sluice.clients_json());
        return v.at("totals").at("delivered").to_number<uint64_t>() == 1;
      },
      10s));
  auto v = json::parse(sluice.clients_json());
  auto& client = v.at("clients").as_array()[0];
  EXPECT_EQ(client.at("subscriptions").as_array()[0].as_string(), "query");
  EXPECT_EQ(client.at("delivered").to_number<uint64_t>(), 1u);
  EXPECT_EQ(v.at("totals").at("subscriptions").to_number<uint64_t>(), 1u);
}

}  // namespace
}  // namespace sluice::websocket::testing
