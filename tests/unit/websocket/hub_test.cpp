// Unit tests of the fan-out hub with in-memory transports: filtering,
// tenant and scope enforcement, formats, throttles and slow clients.
#include "hub.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fake_clock.hpp"

namespace sluice::websocket {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

struct FakeTransport : ClientTransport {
  int wakes = 0;
  std::optional<uint16_t> closed_with;
  bool aborted = false;
  void wake() override { ++wakes; }
  void close(uint16_t code, std::string) override { closed_with = code; }
  void abort() override { aborted = true; }
};

// A connected client and what it received.
struct TestClient {
  FakeTransport transport;
  std::shared_ptr<Client> client;

  std::vector<std::string> drain(Hub& hub, bool count_delivered = true) {
    std::vector<std::string> out;
    OutFrame frame;
    while (hub.next_frame(*client, frame)) {
      out.push_back((frame.head ? *frame.head : "") + *frame.body);
      if (count_delivered) hub.count_delivered(*client, frame);
    }
    return out;
  }
};

HubOptions tracking_options() {
  HubOptions o;
  o.index.push_back({"device", JsonPath("data.DEVICE_ID")});
  o.index.push_back({"tenant", JsonPath("tenant_id")});
  o.index.push_back({"kind", JsonPath("kind")});
  o.index.push_back({"site", JsonPath("stream.site_id")});
  o.stream_key = "device";
  o.send_queue = 16;
  o.max_subscriptions = 3;
  return o;
}

std::string event_json(const std::string& device, const std::string& tenant = "acme",
                       const std::string& kind = "tracking", const std::string& site = "s1",
                       int n = 0) {
  return R"({"data":{"DEVICE_ID":")" + device + R"("},"tenant_id":")" + tenant + R"(","kind":")" +
         kind + R"(","stream":{"site_id":")" + site + R"("},"n":)" + std::to_string(n) + "}";
}

struct HubFixture : ::testing::Test {
  FakeClock clock;
  std::unique_ptr<Hub> hub;
  std::vector<std::unique_ptr<TestClient>> clients;

  void make_hub(HubOptions options = tracking_options()) {
    hub = std::make_unique<Hub>(std::move(options), clock);
  }
  void SetUp() override { make_hub(); }

  TestClient& connect(Identity identity = {}, Format format = Format::kRaw) {
    auto c = std::make_unique<TestClient>();
    EXPECT_TRUE(hub->reserve_slot());
    c->client =
        hub->connect(ClientInfo{"127.0.0.1:1", "/s", format, std::move(identity)}, &c->transport);
    EXPECT_NE(c->client, nullptr);
    clients.push_back(std::move(c));
    return *clients.back();
  }
  std::variant<Granted, ProtocolError> subscribe(
      TestClient& c, std::string id, std::map<std::string, std::vector<std::string>> fields,
      ThrottleRequest throttle = {}, std::optional<std::string> subject = {}) {
    SubscribeRequest r{std::move(id), std::move(fields), std::move(subject), throttle};
    return hub->subscribe(*c.client, r);
  }
  void publish(const std::string& payload, std::string subject = "tracking.data") {
    hub->publish(Event{payload, subject, std::nullopt, 1234});
  }
};

std::string code_of(const std::variant<Granted, ProtocolError>& r) {
  if (auto* e = std::get_if<ProtocolError>(&r)) return e->code;
  return "ok";
}

TEST_F(HubFixture, DeliversOnlyMatchingEventsAsRawPayloads) {
  auto& a = connect();
  auto& b = connect();
  ASSERT_EQ(code_of(subscribe(a, "s", {{"device", {"d1", "d2"}}})), "ok");
  ASSERT_EQ(code_of(subscribe(b, "s", {{"device", {"d3"}}})), "ok");
  publish(event_json("d1"));
  publish(event_json("d3"));
  publish(event_json("d9"));
  EXPECT_EQ(a.drain(*hub), std::vector<std::string>{event_json("d1")});
  EXPECT_EQ(b.drain(*hub), std::vector<std::string>{event_json("d3")});
  auto totals = hub->totals();
  EXPECT_EQ(totals.published, 3u);
  EXPECT_EQ(totals.delivered, 2u);
  EXPECT_EQ(totals.subscriptions, 2u);
}

TEST_F(HubFixture, RawClientGetsOneCopyEvenWithOverlappingSubscriptions) {
  auto& a = connect();
  subscribe(a, "one", {{"device", {"d1"}}});
  subscribe(a, "two", {{"kind", {"tracking"}}});
  publish(event_json("d1"));
  EXPECT_EQ(a.drain(*hub).size(), 1u);
}

TEST_F(HubFixture, EnvelopeCarriesSubscriptionSubjectAndParsedPayload) {
  auto& a = connect({}, Format::kEnvelope);
  subscribe(a, "one", {{"device", {"d1"}}});
  subscribe(a, "two", {}, {}, "tracking.*");
  publish(event_json("d1"));
  auto frames = a.drain(*hub);
  ASSERT_EQ(frames.size(), 2u);
  std::set<std::string> subs;
  for (const auto& f : frames) {
    auto v = boost::json::parse(f).as_object();
    subs.insert(std::string(v.at("sub").as_string()));
    EXPECT_EQ(v.at("subject").as_string(), "tracking.data");
    EXPECT_EQ(v.at("ts").as_int64(), 1234);
    EXPECT_EQ(v.at("payload").at("data").at("DEVICE_ID").as_string(), "d1");
  }
  EXPECT_EQ(subs, (std::set<std::string>{"one", "two"}));
}

TEST_F(HubFixture, NonJsonPayloadIsAStringInTheEnvelope) {
  auto& a = connect({}, Format::kEnvelope);
  subscribe(a, "all", {});
  publish("plain text");
  auto frames = a.drain(*hub);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(boost::json::parse(frames[0]).at("payload").as_string(), "plain text");
}

TEST_F(HubFixture, SubjectPatternFilters) {
  auto& a = connect();
  subscribe(a, "s", {}, {}, "alarms.>");
  publish(event_json("d1"), "tracking.data");
  publish(event_json("d1"), "alarms.fire");
  EXPECT_EQ(a.drain(*hub).size(), 1u);
}

TEST_F(HubFixture, TenantLimitIsAppliedEvenWhenTheClientAsksForEverything) {
  Identity acme;
  acme.tenant = "acme";
  acme.constraints["tenant"] = {"acme"};
  auto& a = connect(acme);
  ASSERT_EQ(code_of(subscribe(a, "all", {})), "ok");
  publish(event_json("d1", "acme"));
  publish(event_json("d1", "globex"));
  publish(R"({"data":{"DEVICE_ID":"d1"}})");  // no tenant: never delivered
  auto frames = a.drain(*hub);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], event_json("d1", "acme"));
}

TEST_F(HubFixture, AskingOutsideTheScopeIsForbiddenAndTheConnectionLives) {
  Identity id;
  id.constraints["tenant"] = {"acme"};
  id.constraints["kind"] = {"tracking"};
  id.constraints["site"] = {"s1", "s2"};
  auto& a = connect(id);
  auto r = subscribe(a, "x", {{"tenant", {"globex"}}});
  EXPECT_EQ(code_of(r), "forbidden");
  EXPECT_NE(std::get<ProtocolError>(r).message.find("'globex'"), std::string::npos);
  EXPECT_EQ(code_of(subscribe(a, "y", {{"kind", {"alarm"}}})), "forbidden");
  EXPECT_EQ(code_of(subscribe(a, "z", {{"site", {"s1", "s3"}}})), "forbidden");
  ASSERT_EQ(code_of(subscribe(a, "ok", {{"site", {"s2"}}})), "ok");
  publish(event_json("d1", "acme", "tracking", "s1"));
  publish(event_json("d1", "acme", "tracking", "s2"));
  publish(event_json("d1", "acme", "alarm", "s2"));
  publish(event_json("d1", "globex", "tracking", "s2"));
  EXPECT_EQ(a.drain(*hub), std::vector<std::string>{event_json("d1", "acme", "tracking", "s2")});
}

TEST_F(HubFixture, ProtocolErrorsForBadSubscriptions) {
  auto& a = connect();
  EXPECT_EQ(code_of(subscribe(a, "x", {{"colour", {"red"}}})), "unknown_field");
  EXPECT_EQ(code_of(subscribe(a, "x", {}, {}, "a.>.b")), "bad_filter");
  EXPECT_EQ(code_of(subscribe(a, "x", {})), "ok");
  EXPECT_EQ(code_of(subscribe(a, "x", {})), "duplicate_id");
  EXPECT_EQ(code_of(subscribe(a, "y", {})), "ok");
  EXPECT_EQ(code_of(subscribe(a, "z", {})), "ok");
  EXPECT_EQ(code_of(subscribe(a, "w", {})), "too_many_subscriptions");
  EXPECT_FALSE(hub->unsubscribe(*a.client, "x"));
  EXPECT_EQ(hub->unsubscribe(*a.client, "x")->code, "unknown_subscription");
  EXPECT_EQ(code_of(subscribe(a, "w", {})), "ok");
}

TEST_F(HubFixture, UnsubscribeStopsDelivery) {
  auto& a = connect();
  subscribe(a, "s", {{"device", {"d1"}}});
  publish(event_json("d1"));
  hub->unsubscribe(*a.client, "s");
  publish(event_json("d1"));
  EXPECT_EQ(a.drain(*hub).size(), 1u);
  EXPECT_EQ(hub->totals().subscriptions, 0u);
}

TEST_F(HubFixture, ThrottleKeepsLatestPerDeviceAndCountsTheRest) {
  auto& a = connect();
  ThrottleRequest t;
  t.rate = 2;
  t.keep_latest = true;
  auto r = subscribe(a, "s", {{"device", {"d1", "d2"}}}, t);
  ASSERT_EQ(code_of(r), "ok");
  for (int n = 0; n < 10; ++n) {
    publish(event_json("d1", "acme", "tracking", "s1", n));
    publish(event_json("d2", "acme", "tracking", "s1", n));
  }
  // First of each device goes at once; the newest (n=9) waits for a token.
  auto now = a.drain(*hub);
  ASSERT_EQ(now.size(), 2u);
  clock.advance(499ms);
  hub->poll_throttles();
  EXPECT_TRUE(a.drain(*hub).empty());
  clock.advance(1ms);
  hub->poll_throttles();
  auto later = a.drain(*hub);
  ASSERT_EQ(later.size(), 2u);
  for (const auto& f : later) EXPECT_EQ(boost::json::parse(f).at("n").as_int64(), 9);
  EXPECT_EQ(hub->totals().throttled, 16u);  // 2 x 8 coalesced
  EXPECT_EQ(a.client->counters().throttled.load(), 16u);
}

TEST_F(HubFixture, ConfigCapsWhatTheClientAsks) {
  HubOptions o = tracking_options();
  o.caps.max_rate = 1;
  o.caps.min_interval_ms = 250;
  make_hub(o);
  auto& a = connect();
  ThrottleRequest t;
  t.rate = 100;
  auto r = subscribe(a, "s", {}, t);
  auto granted = boost::json::parse(std::get<Granted>(r).answer_json);
  EXPECT_EQ(granted.at("throttle").at("rate").to_number<double>(), 1.0);
  EXPECT_EQ(granted.at("throttle").at("min_interval_ms").to_number<int64_t>(), 250);
}

TEST_F(HubFixture, SlowClientIsSkippedUntilItsWriterCatchesUpWithoutAffectingOthers) {
  auto& slow = connect();
  auto& fast = connect();
  subscribe(slow, "s", {});
  subscribe(fast, "s", {});
  for (int n = 0; n < 100; ++n) {
    publish(event_json("d1", "acme", "tracking", "s1", n));
    EXPECT_EQ(fast.drain(*hub).size(), 1u);
  }
  // Event 16 overflowed the queue: the policy dropped the oldest frame and
  // the client stalled, so events 17..99 were dropped without being queued.
  EXPECT_EQ(hub->totals().stalled, 1u);
  EXPECT_EQ(slow.client->counters().dropped.load(), 84u);
  EXPECT_EQ(hub->totals().dropped, 84u);
  auto v = boost::json::parse(hub->clients_json());
  EXPECT_EQ(v.at("totals").at("stalled").to_number<uint64_t>(), 1u);
  auto frames = slow.drain(*hub);
  ASSERT_EQ(frames.size(), 16u);  // the queue bound
  EXPECT_EQ(boost::json::parse(frames.front()).at("n").as_int64(), 1);
  EXPECT_EQ(boost::json::parse(frames.back()).at("n").as_int64(), 16);
  // Its writer came back for frames: it gets new events again.
  EXPECT_EQ(hub->totals().stalled, 0u);
  publish(event_json("d1", "acme", "tracking", "s1", 100));
  EXPECT_EQ(slow.drain(*hub).size(), 1u);
  EXPECT_EQ(fast.drain(*hub).size(), 1u);
  EXPECT_EQ(fast.client->counters().dropped.load(), 0u);
  EXPECT_EQ(fast.client->counters().delivered.load(), 101u);
}

TEST_F(HubFixture, StalledClientLosesControlAnswersTooAndDisconnectForgetsItsStall) {
  auto& slow = connect();
  subscribe(slow, "s", {});
  for (int n = 0; n < 17; ++n) publish(event_json("d1"));
  ASSERT_EQ(hub->totals().stalled, 1u);
  hub->send_control(*slow.client, R"({"type":"pong"})");
  EXPECT_EQ(slow.client->counters().dropped.load(), 2u);
  EXPECT_EQ(hub->totals().dropped, 2u);
  hub->disconnect(*slow.client);
  EXPECT_EQ(hub->totals().stalled, 0u);
}

TEST_F(HubFixture, AbortAllDropsEveryConnection) {
  auto& a = connect();
  auto& b = connect();
  hub->close_all(1001, "bye");
  hub->abort_all();
  EXPECT_TRUE(a.transport.aborted && b.transport.aborted);
  EXPECT_EQ(*a.transport.closed_with, 1001);
}

TEST_F(HubFixture, DisconnectPolicyClosesTheSlowClient) {
  HubOptions o = tracking_options();
  o.slow_client_policy = SlowClientPolicy::kDisconnect;
  make_hub(o);
  auto& slow = connect();
  subscribe(slow, "s", {});
  for (int n = 0; n < 17; ++n) publish(event_json("d1"));
  ASSERT_TRUE(slow.transport.closed_with.has_value());
  EXPECT_EQ(*slow.transport.closed_with, 1008);
  EXPECT_EQ(slow.drain(*hub).size(), 0u);
  EXPECT_EQ(slow.client->counters().dropped.load(), 17u);
}

TEST_F(HubFixture, WakesTheTransportOncePerIdleToBusyTransition) {
  auto& a = connect();
  subscribe(a, "s", {});
  publish(event_json("d1"));
  publish(event_json("d2"));
  EXPECT_EQ(a.transport.wakes, 1);
  a.drain(*hub);
  publish(event_json("d3"));
  EXPECT_EQ(a.transport.wakes, 2);
}

TEST_F(HubFixture, DisconnectForgetsSubscriptionsAndSlots) {
  HubOptions o = tracking_options();
  o.max_clients = 2;
  make_hub(o);
  auto& a = connect();
  connect();
  EXPECT_FALSE(hub->reserve_slot());
  subscribe(a, "s", {});
  hub->disconnect(*a.client);
  EXPECT_EQ(hub->totals().subscriptions, 0u);
  EXPECT_EQ(hub->client_count(), 1u);
  EXPECT_TRUE(hub->reserve_slot());
  publish(event_json("d1"));  // nothing to deliver, nothing touched
  EXPECT_EQ(a.drain(*hub).size(), 0u);
}

TEST_F(HubFixture, ClientsJsonListsCounters) {
  auto& a = connect();
  subscribe(a, "s", {});
  publish(event_json("d1"));
  a.drain(*hub);
  auto v = boost::json::parse(hub->clients_json());
  ASSERT_EQ(v.at("clients").as_array().size(), 1u);
  auto& c = v.at("clients").as_array()[0];
  EXPECT_EQ(c.at("delivered").to_number<uint64_t>(), 1u);
  EXPECT_EQ(c.at("subscriptions").as_array()[0].as_string(), "s");
  EXPECT_EQ(v.at("totals").at("published").to_number<uint64_t>(), 1u);
}

TEST_F(HubFixture, ControlFramesAreNotCountedAsDeliveries) {
  auto& a = connect();
  hub->send_control(*a.client, R"({"type":"pong"})");
  EXPECT_EQ(a.drain(*hub).size(), 1u);
  EXPECT_EQ(a.client->counters().delivered.load(), 0u);
}

}  // namespace
}  // namespace sluice::websocket
