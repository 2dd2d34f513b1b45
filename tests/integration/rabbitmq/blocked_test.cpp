// A broker resource alarm (connection.blocked): publishes wait in the
// connector instead of failing, health says why, and everything flows again
// when the alarm clears. The alarm is raised on the shared test broker by
// lowering its memory watermark, and always restored.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::rabbitmq {
namespace {

// Restores the memory watermark even when the test fails half-way.
struct MemoryAlarm {
  MemoryAlarm() {
    std::string out;
    EXPECT_EQ(rabbitmqctl({"set_vm_memory_high_watermark", "absolute", "1"}, &out), 0) << out;
  }
  ~MemoryAlarm() { clear(); }
  void clear() {
    if (cleared) return;
    cleared = true;
    std::string out;
    EXPECT_EQ(rabbitmqctl({"set_vm_memory_high_watermark", "0.4"}, &out), 0) << out;
  }
  bool cleared = false;
};

double metric_value(const std::string& metrics, const std::string& name) {
  size_t pos = metrics.find("\n" + name + "{");
  if (pos == std::string::npos) return -1;
  size_t space = metrics.find(' ', pos + 1);
  return std::stod(metrics.substr(space + 1));
}

TEST(RabbitBlocked, MemoryAlarm_PublishesWaitHealthSaysWhyThenFlowResumes) {
  TempDir dir;
  std::string queue = unique_name("blocked");
  uint16_t port = free_tcp_port();
  SluiceProcess sluice = start_with_config(
      dir,
      "node_id: node-blocked\nworkers: 2\nshutdown_timeout_ms: 5000\n"
      "admin: {enabled: true, listen: 127.0.0.1:" +
          std::to_string(port) + "}\nconnectors:\n  bus:\n    plugin: rabbitmq\n    url: " +
          amqp_url() + "\n    queues: [{name: " + queue + "}]\n    publish_timeout_ms: 60000\n" +
          "  gen:\n    plugin: generate\n    rate: 200\n    payload: 'b-${counter}'\n" +
          "routes:\n  - from: gen\n    to: \"bus:" + queue + "\"\n");
  expect_ready(sluice);
  AmqpClient client(amqp_url());
  auto count = [&] { return client.queue_counts(queue)->messages; };
  ASSERT_TRUE(wait_until([&] { return count() >= 20; }, std::chrono::seconds(20)));

  uint32_t before_clear = 0;
  {
    MemoryAlarm alarm;
    ASSERT_TRUE(wait_until(
        [&] {
          return http_get("127.0.0.1", port, "/readyz").body.find("broker blocked publishing") !=
                 std::string::npos;
        },
        std::chrono::seconds(30)))
        << http_get("127.0.0.1", port, "/readyz").body << sluice.output();
    EXPECT_EQ(http_get("127.0.0.1", port, "/readyz").status, 503);
    // Publishes queue up in the connector instead of failing.
    EXPECT_TRUE(wait_until(
        [&] {
          auto m = http_get("127.0.0.1", port, "/metrics").body;
          return metric_value(m, "sluice_rabbitmq_queued_publishes") > 10;
        },
        std::chrono::seconds(10)));
    before_clear = count();
    alarm.clear();
  }
  EXPECT_TRUE(wait_until([&] { return http_get("127.0.0.1", port, "/readyz").status == 200; },
                         std::chrono::seconds(30)));
  EXPECT_TRUE(wait_until([&] { return count() >= before_clear + 50; }, std::chrono::seconds(30)));
  auto metrics = http_get("127.0.0.1", port, "/metrics").body;
  EXPECT_GT(metric_value(metrics, "sluice_rabbitmq_blocked_milliseconds_total"), 0) << metrics;
  EXPECT_EQ(metric_value(metrics, "sluice_rabbitmq_publish_failed_total"), 0) << metrics;
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
  client.delete_queue(queue);
}

// A payload that is not JSON reaching a JSON rule: counted and
// dead-lettered by the route, acked to the queue, sluice keeps running.
TEST(RabbitBlocked, NonJsonPayloadOnAJsonRule_DeadLetteredNotFatal) {
  TempDir dir;
  std::string queue = unique_name("nonjson");
  std::string dlq = dir.file("dlq.jsonl");
  std::string out = dir.file("out.txt");
  SluiceProcess sluice = start_with_config(
      dir, config_header("node-json") + "connectors:\n  bus:\n    plugin: rabbitmq\n    url: " +
               amqp_url() + "\n    queues: [{name: " + queue + "}]\n    consume: [" + queue +
               "]\n  out:\n    plugin: file\n    path: " + out + "\n  dlq:\n    plugin: file\n" +
               "    path: " + dlq + "\n    format: json\nroutes:\n  - from: bus\n" +
               "    where: {kind: task}\n    to: out\n    dead_letter: dlq\n");
  expect_ready(sluice);
  AmqpClient client(amqp_url());
  client.publish({"", queue, "this is not JSON"});
  client.publish({"", queue, R"({"kind":"task"})"});
  ASSERT_TRUE(wait_until([&] { return count_lines(dlq) >= 1 && count_lines(out) >= 1; },
                         std::chrono::seconds(20)))
      << sluice.output();
  EXPECT_NE(read_file(dlq).find("this is not JSON"), std::string::npos) << read_file(dlq);
  EXPECT_EQ(read_file(out), "{\"kind\":\"task\"}\n");
  EXPECT_TRUE(wait_until([&] { return client.queue_counts(queue)->messages == 0; },
                         std::chrono::seconds(10)));
  EXPECT_TRUE(sluice.running());
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
  client.delete_queue(queue);
}

}  // namespace
}  // namespace sluice::test::rabbitmq
