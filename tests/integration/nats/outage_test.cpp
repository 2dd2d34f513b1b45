// NATS down for longer than publish_timeout_ms under a publishing sluice
// (a private server; the shared one is never touched). A publish the host
// gave up on must never reach NATS after the reconnect, and the host's
// retries must not pile up copies: each message arrives once per delivery.
// What arrives is counted by a file-backed stream on the private server,
// which survives the restart. Run for core publishes (flush-confirmed) and
// JetStream publishes (PubAck); and JetStream acks given during the outage.
#include <gtest/gtest.h>

#include <map>

#include "fixture.hpp"
#include "plugin_harness.hpp"

namespace sluice::test::nats {
namespace {

using std::chrono::seconds;

// A file-backed stream `name` on `server` storing `subject`.
void create_stream(const PrivateServer& server, const std::string& name,
                   const std::string& subject) {
  Client admin(server.url());
  jsCtx* js = nullptr;
  ASSERT_EQ(natsConnection_JetStream(&js, admin.get(), nullptr), NATS_OK);
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  const char* subjects[] = {subject.c_str()};
  cfg.Name = name.c_str();
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  ASSERT_EQ(js_AddStream(nullptr, js, &cfg, nullptr, nullptr), NATS_OK);
  jsCtx_Destroy(js);
}

// How many times each payload is stored in stream `name` (empty while the
// server is down).
std::map<std::string, int> stored_payloads(const PrivateServer& server, const std::string& name) {
  std::map<std::string, int> counts;
  try {
    Client reader(server.url());
    jsCtx* js = nullptr;
    if (natsConnection_JetStream(&js, reader.get(), nullptr) != NATS_OK) return counts;
    jsStreamInfo* info = nullptr;
    uint64_t last = 0;
    if (js_GetStreamInfo(&info, js, name.c_str(), nullptr, nullptr) == NATS_OK) {
      last = info->State.LastSeq;
      jsStreamInfo_Destroy(info);
    }
    for (uint64_t seq = 1; seq <= last; ++seq) {
      natsMsg* m = nullptr;
      if (js_GetMsg(&m, js, name.c_str(), seq, nullptr, nullptr) != NATS_OK) continue;
      ++counts[std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m))];
      natsMsg_Destroy(m);
    }
    jsCtx_Destroy(js);
  } catch (const std::exception&) {
  }
  return counts;
}

size_t stored_total(const std::map<std::string, int>& counts) {
  size_t n = 0;
  for (const auto& [payload, count] : counts) n += static_cast<size_t>(count);
  return n;
}

class NatsOutage : public ::testing::TestWithParam<bool> {
 protected:
  bool jetstream() const { return GetParam(); }
  std::string publish_jetstream() const { return jetstream() ? "true" : "false"; }
};

INSTANTIATE_TEST_SUITE_P(CoreAndJetStream, NatsOutage, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "JetStream" : "Core"; });

// Through the plugin's C ABI: the held publish, its failure, health and metrics.
TEST_P(NatsOutage, PublishTimedOutWhileDisconnected_IsNeverSentLater) {
  PrivateServer server;
  std::string prefix = unique_prefix("held");
  create_stream(server, "HELD", prefix + ".>");
  PluginHarness h(R"({"url":")" + server.url() +
                  R"(","reconnect_wait_ms":50,"reconnect_wait_max_ms":200,)"
                  R"("publish_timeout_ms":300,"publish_jetstream":)" +
                  publish_jetstream() + "}");
  ASSERT_EQ(h.start(), "");
  std::string message;
  ASSERT_TRUE(wait_until([&] { return h.healthy(&message); }, seconds(10))) << message;
  server.stop();
  ASSERT_TRUE(wait_until([&] { return !h.healthy(&message); }, seconds(10)));

  int during = 0;
  ASSERT_EQ(h.publish(prefix + ".during", "during", &during), SLUICE_OK);
  EXPECT_EQ(h.metric("held"), 1);
  EXPECT_FALSE(h.healthy(&message));
  EXPECT_NE(message.find("1 outgoing messages held until the reconnect"), std::string::npos)
      << message;
  ASSERT_TRUE(h.wait_completed(during, seconds(5)));
  auto failed = *h.completed(during);
  EXPECT_EQ(failed.status, SLUICE_ERROR);
  EXPECT_NE(failed.error.find("was not sent"), std::string::npos) << failed.error;
  EXPECT_EQ(h.metric("held"), 0);
  EXPECT_EQ(h.metric("in_flight"), 0);
  EXPECT_EQ(h.metric("publish_failed_total"), 1);

  server.start();
  ASSERT_TRUE(wait_until([&] { return h.healthy(&message); }, seconds(15))) << message;
  int after = 0;
  ASSERT_EQ(h.publish(prefix + ".after", "after", &after), SLUICE_OK);
  ASSERT_TRUE(h.wait_completed(after, seconds(10)));
  EXPECT_EQ(h.completed(after)->status, SLUICE_OK) << h.completed(after)->error;
  // Whatever was going to be sent at the reconnect went before "after".
  std::map<std::string, int> stored;
  ASSERT_TRUE(wait_until(
      [&] {
        stored = stored_payloads(server, "HELD");
        return stored.count("after") > 0;
      },
      seconds(10)));
  EXPECT_EQ(stored.count("during"), 0u) << "a publish that failed was sent after the reconnect";
  EXPECT_EQ(stored["after"], 1);
  EXPECT_EQ(h.double_completions(), 0);
}

// The whole pipeline: a file source publishing through the NATS sink while
// the server is down for several publish_timeout_ms; the host retries each
// message until NATS is back. Each line must be stored exactly once.
TEST_P(NatsOutage, OutageLongerThanPublishTimeout_EachMessageArrivesOnce) {
  PrivateServer server;
  std::string prefix = unique_prefix("outage_once");
  create_stream(server, "ONCE", prefix + ".out");
  TempDir dir;
  std::string input = dir.file("in.txt");
  write_file(input, "");
  auto sluice = start_with_config(dir, config_header("node-once") + R"(
connectors:
  lines:
    plugin: file
    path: )" + input + R"(
    mode: source
    follow: true
    poll_interval_ms: 20
  data:
    plugin: nats
    url: )" + server.url() + R"(
    reconnect_wait_ms: 50
    reconnect_wait_max_ms: 200
    publish_timeout_ms: 300
    publish_jetstream: )" + publish_jetstream() +
                                           R"(
    retry: {max_attempts: 100, initial_backoff_ms: 50, max_backoff_ms: 200}
routes:
  - from: lines
    to: data:)" + prefix + R"(.out
)");
  expect_ready(sluice);
  constexpr int kEach = 50;
  auto append = [&](const std::string& tag) {
    std::string text;
    for (int i = 0; i < kEach; ++i) text += tag + "-" + std::to_string(i) + "\n";
    append_file(input, text);
  };
  append("before");
  ASSERT_TRUE(wait_until([&] { return stored_total(stored_payloads(server, "ONCE")) >= kEach; },
                         seconds(15)))
      << sluice.output();

  server.stop();
  append("during");
  // Down (about 2 s) until a "during" line failed five times (its sixth
  // attempt is under way; the host keeps the lines behind it waiting):
  // each attempt timed out after publish_timeout_ms.
  ASSERT_TRUE(
      wait_until([&] { return count_occurrences(sluice.output(), "retrying (attempt 6 of") >= 1; },
                 seconds(20)))
      << sluice.output();
  server.start();
  append("after");

  std::map<std::string, int> stored;
  ASSERT_TRUE(wait_until(
      [&] {
        stored = stored_payloads(server, "ONCE");
        return stored.size() >= 3 * static_cast<size_t>(kEach);
      },
      seconds(30)))
      << "stored " << stored.size() << " distinct of " << 3 * kEach << "\n"
      << sluice.output();
  // Stopping drains the pipeline: no retry is left to arrive later.
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
  stored = stored_payloads(server, "ONCE");
  for (const char* tag : {"before", "during", "after"})
    for (int i = 0; i < kEach; ++i) {
      std::string payload = std::string(tag) + "-" + std::to_string(i);
      EXPECT_EQ(stored[payload], 1) << payload << " stored " << stored[payload] << " times";
    }
  EXPECT_EQ(stored.size(), 3u * kEach);
  EXPECT_EQ(count_occurrences(sluice.output(), "failed for good"), 0u) << sluice.output();
}

// Requests go the same way: one that timed out while held is never sent,
// so the service behind the subject never sees a request nobody waits for.
TEST(NatsOutageRequests, RequestTimedOutWhileDisconnected_IsNeverSentLater) {
  PrivateServer server;
  std::string prefix = unique_prefix("heldreq");
  create_stream(server, "REQS", prefix + ".>");  // records what reaches the server
  PluginHarness h(R"({"url":")" + server.url() +
                  R"(","reconnect_wait_ms":50,"reconnect_wait_max_ms":200})");
  ASSERT_EQ(h.start(), "");
  ASSERT_TRUE(wait_until([&] { return h.healthy(); }, seconds(10)));
  server.stop();
  ASSERT_TRUE(wait_until([&] { return !h.healthy(); }, seconds(10)));

  int during = 0;
  ASSERT_EQ(h.request(prefix + ".during", "during", 300, &during), SLUICE_OK);
  ASSERT_TRUE(h.wait_completed(during, seconds(5)));
  auto failed = *h.completed(during);
  EXPECT_EQ(failed.status, SLUICE_TIMEOUT);
  EXPECT_NE(failed.error.find("was not sent"), std::string::npos) << failed.error;
  EXPECT_EQ(h.metric("requests_timeout_total"), 1);

  server.start();
  ASSERT_TRUE(wait_until([&] { return h.healthy(); }, seconds(15)));
  int after = 0;  // answered by the stream's PubAck
  ASSERT_EQ(h.request(prefix + ".after", "after", 5000, &after), SLUICE_OK);
  ASSERT_TRUE(h.wait_completed(after, seconds(10)));
  EXPECT_EQ(h.completed(after)->status, SLUICE_OK) << h.completed(after)->error;
  std::map<std::string, int> stored;
  ASSERT_TRUE(wait_until(
      [&] {
        stored = stored_payloads(server, "REQS");
        return stored.count("after") > 0;
      },
      seconds(10)));
  EXPECT_EQ(stored.count("during"), 0u) << "a request that timed out was sent after the reconnect";
}

// Unacked messages of durable consumer `durable` on `stream`; -1 while the
// server cannot tell.
int64_t ack_pending(const PrivateServer& server, const std::string& stream,
                    const std::string& durable) {
  try {
    Client c(server.url());
    jsCtx* js = nullptr;
    if (natsConnection_JetStream(&js, c.get(), nullptr) != NATS_OK) return -1;
    jsConsumerInfo* info = nullptr;
    int64_t n = -1;
    if (js_GetConsumerInfo(&info, js, stream.c_str(), durable.c_str(), nullptr, nullptr) ==
        NATS_OK) {
      n = info->NumAckPending;
      jsConsumerInfo_Destroy(info);
    }
    jsCtx_Destroy(js);
    return n;
  } catch (const std::exception&) {
    return -1;
  }
}

// cnats keeps no reconnect buffer (see Publisher): an ack the host gives
// while NATS is down is kept by the plugin and sent after the reconnect, so
// the message is not redelivered after ack_wait_ms.
TEST(NatsOutageAcks, AckGivenWhileDisconnected_IsSentAfterTheReconnect) {
  PrivateServer server;
  std::string prefix = unique_prefix("jsack");
  PluginHarness h(R"({"url":")" + server.url() +
                  R"(","reconnect_wait_ms":50,"reconnect_wait_max_ms":200,)"
                  R"("jetstream":{"stream":"ACKS","subjects":[")" +
                  prefix + R"(.>"],"create_stream":true,"durable":"acker","ack_wait_ms":30000}})");
  ASSERT_EQ(h.start(), "");
  ASSERT_TRUE(wait_until(
      [&] { return h.log_text().find("NATS connector ready") != std::string::npos; }, seconds(15)))
      << h.log_text();
  {
    Client producer(server.url());
    jsCtx* js = nullptr;
    ASSERT_EQ(natsConnection_JetStream(&js, producer.get(), nullptr), NATS_OK);
    ASSERT_EQ(js_Publish(nullptr, js, (prefix + ".a").c_str(), "m1", 2, nullptr, nullptr), NATS_OK);
    jsCtx_Destroy(js);
  }
  ASSERT_TRUE(h.wait_emitted(1, seconds(10))) << h.log_text();
  server.stop();
  ASSERT_TRUE(wait_until([&] { return !h.healthy(); }, seconds(10)));
  h.ack(h.emitted()[0].ack_id, SLUICE_OUTCOME_ACK);

  server.start();
  ASSERT_TRUE(wait_until([&] { return h.healthy(); }, seconds(15)));
  EXPECT_TRUE(wait_until([&] { return ack_pending(server, "ACKS", "acker") == 0; }, seconds(10)))
      << "ack pending: " << ack_pending(server, "ACKS", "acker");
  EXPECT_EQ(h.emitted_count(), 1u);
  EXPECT_EQ(h.metric("js_acked_total"), 1);
}

}  // namespace
}  // namespace sluice::test::nats
