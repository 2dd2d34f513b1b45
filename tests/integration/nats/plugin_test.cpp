// The NATS plugin through its C ABI with a recording host (plugin_harness):
// requests, publish confirmation, backpressure, JetStream NAK/redelivery,
// health across a server restart, shutdown completing everything.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "fixture.hpp"
#include "plugin_harness.hpp"

namespace sluice::test::nats {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string config(const std::string& url, const std::string& extra = "") {
  return R"({"url":")" + url + R"(","reconnect_wait_ms":50,"reconnect_wait_max_ms":300)" +
         (extra.empty() ? "" : "," + extra) + "}";
}

// Waits until the plugin's supervisor has set up its subscriptions.
void wait_ready(PluginHarness& h) {
  ASSERT_TRUE(wait_until(
      [&] { return h.log_text().find("NATS connector ready") != std::string::npos; }, seconds(15)))
      << h.log_text();
}

TEST(NatsPlugin, Request_CompletesWithTheReply) {
  Client service(nats_url());
  std::string prefix = unique_prefix("req");
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_Subscribe(
                &sub, service.get(), (prefix + ".svc").c_str(),
                [](natsConnection* nc, natsSubscription*, natsMsg* msg, void*) {
                  std::string answer =
                      "echo:" + std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
                  const char* node = nullptr;
                  natsMsgHeader_Get(msg, "Sluice-Node", &node);
                  answer += std::string(":") + (node ? node : "?");
                  natsConnection_Publish(nc, natsMsg_GetReply(msg), answer.data(),
                                         static_cast<int>(answer.size()));
                  natsMsg_Destroy(msg);
                },
                nullptr),
            NATS_OK);
  service.flush();

  PluginHarness h(config(nats_url()), "node-h");
  ASSERT_EQ(h.start(), "");
  std::vector<int> ids;
  for (int i = 0; i < 200; ++i) {
    int id = 0;
    ASSERT_EQ(h.request(prefix + ".svc", "q" + std::to_string(i), 5000, &id), SLUICE_OK);
    ids.push_back(id);
  }
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(h.wait_completed(ids[i], seconds(10))) << i;
    auto done = *h.completed(ids[i]);
    EXPECT_EQ(done.status, SLUICE_OK) << done.error;
    EXPECT_TRUE(done.has_reply);
    EXPECT_EQ(done.reply_payload, "echo:q" + std::to_string(i) + ":node-h");
    EXPECT_EQ(done.reply_subject, prefix + ".svc");
  }
  EXPECT_EQ(h.metric("requests_ok_total"), 200);
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
}

TEST(NatsPlugin, Request_WithoutResponders_FailsAtOnce) {
  PluginHarness h(config(nats_url()));
  ASSERT_EQ(h.start(), "");
  ASSERT_TRUE(wait_until([&] { return h.healthy(); }, seconds(10)));
  int id = 0;
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(h.request(unique_prefix("nobody") + ".svc", "hello", 5000, &id), SLUICE_OK);
  ASSERT_TRUE(h.wait_completed(id, seconds(4)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(2));
  auto done = *h.completed(id);
  EXPECT_EQ(done.status, SLUICE_ERROR);
  EXPECT_NE(done.error.find("no responders"), std::string::npos) << done.error;
  EXPECT_EQ(h.metric("requests_failed_total"), 1);
}

TEST(NatsPlugin, Request_WithASilentResponder_TimesOut) {
  Client silent(nats_url());
  std::string prefix = unique_prefix("silent");
  auto swallowed = silent.subscribe(prefix + ".svc");
  PluginHarness h(config(nats_url()));
  ASSERT_EQ(h.start(), "");
  int id = 0;
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(h.request(prefix + ".svc", "hello", 300, &id), SLUICE_OK);
  ASSERT_TRUE(h.wait_completed(id, seconds(5)));
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, milliseconds(280));
  EXPECT_LT(took, seconds(2));
  auto done = *h.completed(id);
  EXPECT_EQ(done.status, SLUICE_TIMEOUT);
  EXPECT_NE(done.error.find("within 300 ms"), std::string::npos) << done.error;
  EXPECT_EQ(h.metric("requests_timeout_total"), 1);
  EXPECT_EQ(swallowed->count(), 1u);
}

TEST(NatsPlugin, Publish_ConfirmedAfterTheServerHasIt_WithHeaders) {
  Client client(nats_url());
  std::string prefix = unique_prefix("pub");
  auto got = client.subscribe(prefix + ".>");
  PluginHarness h(config(nats_url(), R"("headers":{"X-Env":"test-${node_id}"})"), "node-p");
  ASSERT_EQ(h.start(), "");
  std::vector<int> ids(500);
  for (int i = 0; i < 500; ++i)
    ASSERT_EQ(h.publish(prefix + ".x", std::to_string(i), &ids[i], nullptr, {{"X-Seq", "s"}}),
              SLUICE_OK);
  for (int id : ids) {
    ASSERT_TRUE(h.wait_completed(id, seconds(10)));
    EXPECT_EQ(h.completed(id)->status, SLUICE_OK);
  }
  ASSERT_TRUE(got->wait_for(500, seconds(10)));
  auto first = got->snapshot().front();
  EXPECT_EQ(first.headers["X-Env"], "test-node-p");
  EXPECT_EQ(first.headers["X-Seq"], "s");
  EXPECT_EQ(first.headers["Sluice-Node"], "node-p");
  EXPECT_EQ(h.metric("published_total"), 500);
  EXPECT_EQ(h.flush(1000), SLUICE_OK);
}

TEST(NatsPlugin, Publish_WithoutSubject_UsesDefaultOrIsRejected) {
  Client client(nats_url());
  std::string prefix = unique_prefix("default");
  auto got = client.subscribe(prefix + ".node-d");
  {
    PluginHarness h(config(nats_url(), R"("default_subject":")" + prefix + R"(.${node_id}")"),
                    "node-d");
    ASSERT_EQ(h.start(), "");
    int id = 0;
    ASSERT_EQ(h.publish("", "to the default", &id), SLUICE_OK);
    ASSERT_TRUE(got->wait_for(1, seconds(5)));
    std::string error;
    EXPECT_EQ(h.publish("bad subject", "x", &id, &error), SLUICE_REJECTED);
    EXPECT_NE(error.find("whitespace"), std::string::npos) << error;
  }
  PluginHarness none(config(nats_url()));
  ASSERT_EQ(none.start(), "");
  int id = 0;
  std::string error;
  EXPECT_EQ(none.publish("", "x", &id, &error), SLUICE_REJECTED);
  EXPECT_NE(error.find("no default_subject"), std::string::npos) << error;
}

TEST(NatsPlugin, ReceivedRequest_CarriesReplyHandle_AndReplyReachesRequester) {
  Client client(nats_url());
  std::string prefix = unique_prefix("rr");
  PluginHarness h(config(nats_url()));
  ASSERT_EQ(h.subscribe(prefix + ".api"), "");
  ASSERT_EQ(h.start(), "");
  wait_ready(h);
  std::thread answerer([&] {
    if (!h.wait_emitted(1, seconds(10))) return;
    auto req = h.emitted().front();
    int id = 0;
    h.reply(req.reply_to, "answer:" + req.payload, &id);
  });
  auto reply = client.request(prefix + ".api", "question", seconds(10));
  answerer.join();
  ASSERT_TRUE(reply.has_value()) << h.log_text();
  EXPECT_EQ(reply->payload, "answer:question");
  EXPECT_EQ(reply->headers["Sluice-Node"], "harness");
}

TEST(NatsPlugin, BusyIngress_CoreMessagesWaitThenDropCounted) {
  Client client(nats_url());
  std::string prefix = unique_prefix("busy");
  PluginHarness h(config(nats_url(), R"("busy_wait_ms":100)"));
  ASSERT_EQ(h.subscribe(prefix + ".in"), "");
  ASSERT_EQ(h.start(), "");
  wait_ready(h);
  h.set_emit_answer(SLUICE_BUSY);
  for (int i = 0; i < 5; ++i) client.publish(prefix + ".in", "dropped");
  client.flush();
  ASSERT_TRUE(wait_until([&] { return h.metric("dropped_busy_total") >= 5; }, seconds(10)))
      << h.metric("dropped_busy_total");
  EXPECT_GE(h.busy_answers(), 5u);  // it waited (retried) before dropping
  h.set_emit_answer(SLUICE_OK);
  client.publish(prefix + ".in", "kept");
  client.flush();
  ASSERT_TRUE(h.wait_emitted(1, seconds(5)));
  EXPECT_EQ(h.emitted().front().payload, "kept");
  // One line per batch the callback held: "dropped a core NATS message" or
  // "dropped 5 core NATS messages".
  EXPECT_TRUE(h.log_text().find("dropped a core NATS message") != std::string::npos ||
              h.log_text().find(" core NATS messages on ") != std::string::npos)
      << h.log_text();
}

TEST(NatsPlugin, SlowConsumer_ClientDropsAreCountedAndLogged) {
  Client client(nats_url());
  std::string prefix = unique_prefix("slow");
  PluginHarness h(config(nats_url(), R"("busy_wait_ms":60000,"pending_limit_msgs":10)"));
  ASSERT_EQ(h.subscribe(prefix + ".in"), "");
  ASSERT_EQ(h.start(), "");
  wait_ready(h);
  // The delivery thread waits for room that never comes; the client buffers
  // 10 messages and drops the rest.
  h.set_emit_answer(SLUICE_BUSY);
  for (int i = 0; i < 200; ++i) client.publish(prefix + ".in", "m" + std::to_string(i));
  client.flush();
  ASSERT_TRUE(
      wait_until([&] { return h.metric("dropped_slow_consumer_total") >= 150; }, seconds(10)))
      << h.metric("dropped_slow_consumer_total");
  EXPECT_NE(h.log_text().find("slow consumer"), std::string::npos) << h.log_text();
  h.set_emit_answer(SLUICE_OK);
  ASSERT_TRUE(wait_until([&] { return h.emitted_count() > 0; }, seconds(10)));
  EXPECT_LE(h.emitted_count(), 12u);  // what was buffered, nothing more
}

TEST(NatsPlugin, JetStreamNack_RedeliversAfterTheDelay) {
  Client client(nats_url());
  std::string prefix = unique_prefix("jsnak");
  std::string stream;
  for (char c : prefix) stream += c == '.' ? '_' : c;
  PluginHarness h(config(nats_url(), R"("jetstream":{"stream":")" + stream + R"(","subjects":[")" +
                                         prefix +
                                         R"(.>"],"create_stream":true,"storage":"memory",)"
                                         R"("nak_delay_ms":300,"ack_wait_ms":5000})"));
  ASSERT_EQ(h.start(), "");
  wait_ready(h);
  jsCtx* js = nullptr;
  ASSERT_EQ(natsConnection_JetStream(&js, client.get(), nullptr), NATS_OK);
  ASSERT_EQ(js_Publish(nullptr, js, (prefix + ".a").c_str(), "m1", 2, nullptr, nullptr), NATS_OK);
  ASSERT_TRUE(h.wait_emitted(1, seconds(10))) << h.log_text();
  auto first = h.emitted()[0];
  EXPECT_EQ(first.attributes["delivered"], "1");
  EXPECT_EQ(first.attributes["stream"], stream);
  EXPECT_EQ(first.attributes["stream_seq"], "1");
  auto t0 = std::chrono::steady_clock::now();
  h.ack(first.ack_id, SLUICE_OUTCOME_NACK);
  ASSERT_TRUE(h.wait_emitted(2, seconds(10)));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(250));
  auto second = h.emitted()[1];
  EXPECT_EQ(second.payload, "m1");
  EXPECT_EQ(second.attributes["delivered"], "2");
  h.ack(second.ack_id, SLUICE_OUTCOME_ACK);
  EXPECT_EQ(h.metric("js_nacked_total"), 1);
  EXPECT_EQ(h.metric("js_acked_total"), 1);
  h.destroy();
  js_DeleteStream(js, stream.c_str(), nullptr, nullptr);
  jsCtx_Destroy(js);
}

TEST(NatsPlugin, JetStreamBusy_HoldsMessagesUntilThereIsRoom) {
  Client client(nats_url());
  std::string prefix = unique_prefix("jsbusy");
  std::string stream;
  for (char c : prefix) stream += c == '.' ? '_' : c;
  PluginHarness h(config(nats_url(), R"("jetstream":{"stream":")" + stream + R"(","subjects":[")" +
                                         prefix +
                                         R"(.>"],"create_stream":true,"storage":"memory",)"
                                         R"("batch":10,"ack_wait_ms":1500})"));
  h.set_emit_answer(SLUICE_BUSY);
  ASSERT_EQ(h.start(), "");
  wait_ready(h);
  jsCtx* js = nullptr;
  ASSERT_EQ(natsConnection_JetStream(&js, client.get(), nullptr), NATS_OK);
  for (int i = 0; i < 30; ++i) {
    std::string p = "m" + std::to_string(i);
    ASSERT_EQ(js_Publish(nullptr, js, (prefix + ".a").c_str(), p.data(), static_cast<int>(p.size()),
                         nullptr, nullptr),
              NATS_OK);
  }
  // Busy for longer than ack_wait: in-progress acks keep the held batch
  // from being redelivered meanwhile.
  ASSERT_TRUE(wait_until([&] { return h.busy_answers() > 20; }, seconds(10)));
  std::this_thread::sleep_for(milliseconds(2500));
  EXPECT_EQ(h.emitted_count(), 0u);
  h.set_emit_answer(SLUICE_OK);
  ASSERT_TRUE(h.wait_emitted(30, seconds(15)));
  std::this_thread::sleep_for(milliseconds(300));
  auto all = h.emitted();
  std::set<std::string> payloads;
  for (const auto& e : all) {
    payloads.insert(e.payload);
    h.ack(e.ack_id, SLUICE_OUTCOME_ACK);
  }
  EXPECT_EQ(payloads.size(), 30u);
  EXPECT_EQ(all.size(), 30u) << "messages were redelivered while held";
  h.destroy();
  js_DeleteStream(js, stream.c_str(), nullptr, nullptr);
  jsCtx_Destroy(js);
}

TEST(NatsPlugin, ServerRestart_HealthAndMetricsFollowTheConnection) {
  PrivateServer server;
  PluginHarness h(config(server.url()));
  ASSERT_EQ(h.start(), "");
  std::string message;
  ASSERT_TRUE(wait_until([&] { return h.healthy(&message); }, seconds(10))) << message;
  EXPECT_EQ(h.metric("connected"), 1);
  server.stop();
  ASSERT_TRUE(wait_until([&] { return !h.healthy(&message); }, seconds(10)));
  EXPECT_NE(message.find("reconnecting"), std::string::npos) << message;
  EXPECT_EQ(h.metric("connected"), 0);

  // Publishes while disconnected are buffered, then confirmed.
  int id = 0;
  ASSERT_EQ(h.publish("during.outage", "x", &id), SLUICE_OK);
  server.start();
  ASSERT_TRUE(wait_until([&] { return h.healthy(&message); }, seconds(15))) << message;
  EXPECT_EQ(h.metric("connected"), 1);
  EXPECT_EQ(h.metric("reconnects_total"), 1);
  ASSERT_TRUE(h.wait_completed(id, seconds(10)));
  EXPECT_EQ(h.completed(id)->status, SLUICE_OK) << h.completed(id)->error;
}

TEST(NatsPlugin, ReconnectBufferFull_PublishFailsWithAClearError) {
  PrivateServer server;
  PluginHarness h(config(server.url(), R"("reconnect_buffer_bytes":2048)"));
  ASSERT_EQ(h.start(), "");
  ASSERT_TRUE(wait_until([&] { return h.healthy(); }, seconds(10)));
  server.stop();
  ASSERT_TRUE(wait_until([&] { return !h.healthy(); }, seconds(10)));
  std::string payload(600, 'x'), error;
  sluice_status last = SLUICE_OK;
  std::vector<int> accepted;
  for (int i = 0; i < 20 && last == SLUICE_OK; ++i) {
    int id = 0;
    last = h.publish("outage.big", payload, &id, &error);
    if (last == SLUICE_OK) accepted.push_back(id);
  }
  EXPECT_EQ(last, SLUICE_ERROR);
  EXPECT_NE(error.find("reconnect buffer"), std::string::npos) << error;
  EXPECT_LT(accepted.size(), 5u);
  server.start();
  for (int id : accepted) {
    ASSERT_TRUE(h.wait_completed(id, seconds(15)));
    EXPECT_EQ(h.completed(id)->status, SLUICE_OK);
  }
}

TEST(NatsPlugin, Destroy_CompletesEverythingStillPending) {
  Client silent(nats_url());
  std::string prefix = unique_prefix("destroy");
  auto swallowed = silent.subscribe(prefix + ".svc");
  std::vector<int> ids;
  {
    PluginHarness h(config(nats_url(), R"("drain_timeout_ms":200)"));
    ASSERT_EQ(h.start(), "");
    for (int i = 0; i < 10; ++i) {
      int id = 0;
      ASSERT_EQ(h.request(prefix + ".svc", "x", 60000, &id), SLUICE_OK);
      ids.push_back(id);
    }
    h.destroy();
    EXPECT_EQ(h.open_completions(), 0u);
    for (int id : ids) {
      auto done = h.completed(id);
      ASSERT_TRUE(done.has_value());
      EXPECT_EQ(done->status, SLUICE_CLOSED);
    }
    EXPECT_EQ(h.double_completions(), 0);
  }
}

TEST(NatsPlugin, UnreachableServerAtStart_StartsAndConnectsLater) {
  uint16_t port = free_tcp_port();
  std::string url = "nats://127.0.0.1:" + std::to_string(port);
  PluginHarness h(config(url));
  ASSERT_EQ(h.start(), "");
  std::string message;
  EXPECT_FALSE(h.healthy(&message));
  // A server appears on that port later.
  Process server({"nats-server", "-a", "127.0.0.1", "-p", std::to_string(port)});
  EXPECT_TRUE(wait_until([&] { return h.healthy(&message); }, seconds(15))) << message;
}

TEST(NatsPlugin, Validate_RejectsWhatCheckRejects) {
  EXPECT_EQ(PluginHarness::validate(R"({"url":"nats://127.0.0.1:4222"})"), "");
  EXPECT_NE(PluginHarness::validate(R"({"url":"nats://h:0"})").find("port"), std::string::npos);
  EXPECT_NE(PluginHarness::validate(R"({"queue_group":"a.b"})").find("queue_group"),
            std::string::npos);
  EXPECT_NE(
      PluginHarness::validate(R"({"jetstream":{"stream":"S","durable":"a.b"}})").find("durable"),
      std::string::npos);
}

}  // namespace
}  // namespace sluice::test::nats
