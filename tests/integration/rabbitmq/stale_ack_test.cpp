// Deliveries still being processed when the connection drops: the broker
// redelivers them on the new connection, and the host's late acks for the
// old deliveries are dropped and counted instead of acking whatever the same
// delivery tag names on the new channel.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::rabbitmq {
namespace {

double metric_value(const std::string& metrics, const std::string& name) {
  size_t pos = metrics.find("\n" + name + "{");
  if (pos == std::string::npos) return -1;
  return std::stod(metrics.substr(metrics.find(' ', pos + 1) + 1));
}

TEST(RabbitStaleAcks, ConnectionLostWhileProcessing_OldAcksDroppedMessagesRedelivered) {
  TempDir dir;
  std::string work = unique_name("stale-work");
  std::string results = unique_name("stale-results");
  std::string nobody = unique_name("stale-nobody");
  uint16_t port = free_tcp_port();
  // Each message waits for the answer to a request that only the test gives
  // (after the connection was dropped under it): the host holds it,
  // unacked, however long rabbitmqctl takes to drop the connection.
  write_file(dir.file("slow.lua"), "sluice.on(\"bus:" + work +
                                       "\", function(msg)\n"
                                       "  sluice.request(\"bus:/" +
                                       nobody +
                                       "\", \"ping\", { timeout_ms = 120000 })\n"
                                       "  sluice.publish(\"bus:" +
                                       results + "\", msg)\nend)\n");
  SluiceProcess sluice = start_with_config(
      dir,
      "node_id: node-stale\nworkers: 2\nshutdown_timeout_ms: 10000\nscript: slow.lua\n"
      "admin: {enabled: true, listen: 127.0.0.1:" +
          std::to_string(port) + "}\nconnectors:\n  bus:\n    plugin: rabbitmq\n    url: " +
          amqp_url() + "\n    reconnect_wait_ms: 100\n    queues: [{name: " + work +
          "}, {name: " + results + "}, {name: " + nobody + "}]\n    consume: [" + work + "]\n");
  expect_ready(sluice);
  auto metrics = [&] { return http_get("127.0.0.1", port, "/metrics").body; };
  {
    AmqpClient client(amqp_url());
    std::vector<Publish> batch;
    for (int i = 0; i < 5; ++i) batch.push_back({"", work, "s" + std::to_string(i)});
    client.publish_many(batch);
    // All five are held: each one's request waits in `nobody`.
    ASSERT_TRUE(wait_until([&] { return client.queue_counts(nobody)->messages == 5; },
                           std::chrono::seconds(10)))
        << metrics();
  }  // closed here: close_all_connections below would close it too
  std::string out;
  ASSERT_EQ(rabbitmqctl({"close_all_connections", "sluice stale-ack test"}, &out), 0) << out;
  expect_ready(sluice, 2);
  AmqpClient responder(amqp_url());

  // The old requests failed with their connection (their messages go on and
  // are acked late: stale); the redelivered copies ask again, on the new
  // connection, and get answered here.
  auto answer_requests = [&] {
    while (auto request = responder.get(nobody))
      if (!request->reply_to.empty())
        responder.publish({"", request->reply_to, "pong", "", request->correlation_id});
  };
  ASSERT_TRUE(wait_until(
      [&] {
        answer_requests();
        auto m = metrics();
        return metric_value(m, "sluice_rabbitmq_stale_acks_dropped_total") >= 5 &&
               metric_value(m, "sluice_rabbitmq_redelivered_total") >= 5;
      },
      std::chrono::seconds(30)))
      << metrics() << sluice.output();
  // Both copies of each message went through: the first (its request failed
  // with the connection, its ack was dropped) and the redelivered one.
  std::vector<AmqpMessage> got;
  wait_until(
      [&] {
        answer_requests();
        while (auto m = responder.get(results)) got.push_back(std::move(*m));
        return got.size() >= 10;
      },
      std::chrono::seconds(30));
  EXPECT_EQ(got.size(), 10u) << sluice.output();
  EXPECT_TRUE(wait_until([&] { return responder.queue_counts(work)->messages == 0; },
                         std::chrono::seconds(10)));
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
  AmqpClient& client = responder;
  client.delete_queue(work);
  client.delete_queue(results);
  client.delete_queue(nobody);
}

}  // namespace
}  // namespace sluice::test::rabbitmq
