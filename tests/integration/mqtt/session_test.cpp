// What survives a crash or an outage: the last will when sluice is killed,
// the persistent session while sluice is stopped, a mosquitto restart
// mid-stream, and a kill -9 of sluice mid-stream at QoS 1 (lost and
// duplicated messages counted against the window the README states, for
// mqtt -> file and for an mqtt -> mqtt relay).
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <functional>
#include <set>
#include <sstream>

#include "fixture.hpp"

namespace sluice::test::mqtt {
namespace {

std::string node(const std::string& name) { return name + "-" + std::to_string(getpid()); }

std::string relay_config(const std::string& node_id, const HostPort& broker,
                         const std::string& root, const std::string& extra = "") {
  return config_header(node_id) + "connectors:\n" + connector_yaml("m", broker, extra) +
         "routes:\n  - from: \"m:" + root + "/in\"\n    to: \"m:" + root + "/out\"\n";
}

TEST(MqttSession, LastWillIsPublishedWhenSluiceIsKilled) {
  TempDir dir;
  HostPort broker = shared_broker();
  std::string root = unique_root("will");
  Subscriber status(broker, {root + "/status/#"}, 1);
  status.wait_subscribed();
  auto sluice = start_with_config(
      dir, config_header(node("will")) + "connectors:\n" +
               connector_yaml("m", broker,
                              "    will_topic: \"" + root + "/status/${node_id}\"\n" +
                                  "    birth_topic: \"" + root + "/status/${node_id}\"\n"));
  auto got = status.wait_for(1, std::chrono::seconds(20));
  ASSERT_EQ(got.size(), 1u) << status.output() << sluice.output();
  EXPECT_EQ(got[0].topic, root + "/status/" + node("will"));
  EXPECT_EQ(got[0].payload, "online");
  sluice.signal(SIGKILL);
  got = status.wait_for(2, std::chrono::seconds(20));
  ASSERT_EQ(got.size(), 2u) << status.output();
  EXPECT_EQ(got[1].payload, "offline");
  publish(broker, got[0].topic, "", 1, {"-r"});  // clear the retained status
}

TEST(MqttSession, QosOneMessagesPublishedWhileStoppedArriveAfterRestart) {
  TempDir dir;
  HostPort broker = shared_broker();
  std::string root = unique_root("persist");
  std::string config = relay_config(node("persist"), broker, root);
  {
    auto sluice = start_with_config(dir, config);
    expect_logged(sluice, "MQTT connector ready", 1, std::chrono::seconds(20));
    ASSERT_EQ(sluice.stop(), 0) << sluice.output();
  }
  Subscriber out(broker, {root + "/out"}, 1);
  out.wait_subscribed();
  publish_lines(broker, root + "/in", numbered("p-", 50), 1);  // sluice is not running
  auto sluice = start_with_config(dir, config);
  auto got = out.wait_for(50, std::chrono::seconds(20));
  EXPECT_EQ(payloads_of(got), numbered("p-", 50)) << sluice.output();
}

TEST(MqttSession, BrokerRestartMidStreamReconnectsAndTrafficResumes) {
  TempDir dir;
  PrivateBroker broker({});
  broker.start();
  std::string root = unique_root("restart");
  auto sluice = start_with_config(
      dir, relay_config(node("restart"), broker.plain(), root,
                        "    reconnect_wait_ms: 50\n    reconnect_wait_max_ms: 500\n"));
  expect_logged(sluice, "MQTT connector ready", 1, std::chrono::seconds(20));
  {
    Subscriber out(broker.plain(), {root + "/out"}, 1);
    out.wait_subscribed();
    publish_lines(broker.plain(), root + "/in", numbered("before-", 20), 1);
    ASSERT_EQ(out.wait_for(20, std::chrono::seconds(15)).size(), 20u) << sluice.output();
  }
  broker.kill();
  expect_logged(sluice, "MQTT connection of client", 1, std::chrono::seconds(20));
  broker.start();  // same port, empty state: sluice must subscribe again
  expect_logged(sluice, "MQTT connector ready", 2, std::chrono::seconds(30));
  Subscriber out(broker.plain(), {root + "/out"}, 1);
  out.wait_subscribed();
  publish_lines(broker.plain(), root + "/in", numbered("after-", 20), 1);
  auto got = out.wait_for(20, std::chrono::seconds(15));
  EXPECT_EQ(payloads_of(got), numbered("after-", 20)) << sluice.output();
}

constexpr int kKillMessages = 3000;
// The kill tests' sluice: each worker's ingress and the file output's
// in-flight bound, and what a kill -9 of mqtt -> file may lose with them:
// both workers' ingress, the output's in-flight and paho's one message in
// the callback.
constexpr int kQueueCapacity = 64;
constexpr int kMaxInFlight = 100;
constexpr size_t kIngressWindow = 2 * kQueueCapacity + kMaxInFlight + 1;

struct KillOutcome {
  size_t delivered_at_kill = 0;
  size_t lost = 0;
  size_t duplicated = 0;
};

// Publishes kKillMessages lines "k-<i>" at QoS 1 to `topic` at once, kills
// sluice (-9) once `delivered()` holds a tenth of them, restarts it on
// `config`, and counts once every message is there or nothing new arrived
// for 2 s (bounded). `probe` runs while waiting for the kill.
KillOutcome kill_mid_stream(
    const TempDir& dir, const PrivateBroker& broker, const std::string& topic,
    const std::string& config, const std::function<std::vector<std::string>()>& delivered,
    const std::function<void()>& probe = [] {}) {
  KillOutcome outcome;
  auto sluice = start_with_config(dir, config);
  expect_logged(sluice, "MQTT connector ready", 1, std::chrono::seconds(20));
  std::string text;
  for (const auto& l : numbered("k-", kKillMessages)) text += l + "\n";
  write_file(dir.file("lines"), text);
  Process publisher({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(broker.plain().port),
                     "-q", "1", "-t", topic, "-l"},
                    {}, ProcessOptions{.stdin_file = dir.file("lines")});
  bool midway = wait_until(
      [&] {
        probe();
        return delivered().size() >= kKillMessages / 10;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(2));
  sluice.signal(SIGKILL);
  sluice.wait(std::chrono::seconds(10));
  EXPECT_TRUE(midway) << sluice.output();
  outcome.delivered_at_kill = delivered().size();
  auto restarted = start_with_config(dir, config);
  expect_logged(restarted, "MQTT connector ready", 1, std::chrono::seconds(20));
  EXPECT_EQ(publisher.wait(std::chrono::seconds(60)), 0) << publisher.output();
  size_t last = 0;
  for (int i = 0; i < 30; ++i) {
    if (wait_until([&] { return delivered().size() >= static_cast<size_t>(kKillMessages); },
                   std::chrono::seconds(2)))
      break;
    size_t now = delivered().size();
    if (now == last) break;
    last = now;
  }
  auto all = delivered();
  std::set<std::string> distinct(all.begin(), all.end());
  for (const auto& p : distinct) EXPECT_TRUE(p.starts_with("k-")) << p;
  outcome.lost = kKillMessages - distinct.size();
  outcome.duplicated = all.size() - distinct.size();
  return outcome;
}

// The README's QoS 1 window: what sluice accepted (and so acknowledged) but
// had not written when it was killed. Bounded by both workers' ingress
// (queue_capacity each), the output's max_in_flight and paho's one message
// in the callback; everything else is redelivered by the broker after the
// restart (persistent session). The output is a file: its lines survive
// the kill (page cache), so they count what was delivered.
TEST(MqttSession, KillMinusNineMidStreamLosesAtMostTheIngressWindow) {
  TempDir dir;
  PrivateBroker broker({});
  broker.start();
  std::string root = unique_root("kill");
  std::string out_path = dir.file("out.txt");
  std::string config = "queue_capacity: " + std::to_string(kQueueCapacity) + "\n" +
                       config_header(node("kill")) + "connectors:\n" +
                       connector_yaml("m", broker.plain()) +
                       "  out:\n    plugin: file\n    mode: sink\n    path: " + out_path +
                       "\n    max_in_flight: " + std::to_string(kMaxInFlight) +
                       "\nroutes:\n  - from: \"m:" + root + "/in\"\n    to: out\n";
  auto lines = [&] {
    std::vector<std::string> out;
    std::istringstream in(read_file(out_path));
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  };
  KillOutcome o = kill_mid_stream(dir, broker, root + "/in", config, lines);
  std::cout << "kill -9 at QoS 1: " << kKillMessages << " sent, lost " << o.lost << ", duplicated "
            << o.duplicated << "\n";
  RecordProperty("lost", static_cast<int>(o.lost));
  RecordProperty("duplicated", static_cast<int>(o.duplicated));
  EXPECT_LE(o.lost, kIngressWindow);
}

// The README's Limits: in an mqtt -> mqtt relay the callback cannot wait
// for room (the room is freed by PUBACKs the same paho thread must read),
// so it defers; paho then queues every later PUBLISH of that client
// without calling back and acknowledges it on receipt, and a kill -9 loses
// that queue. Measured against the mqtt -> file bound above.
TEST(MqttSession, RelayKillMinusNineLosesPahosAcknowledgedBacklog) {
  TempDir dir;
  PrivateBroker broker({});
  broker.start();
  std::string root = unique_root("relaykill");
  uint16_t admin = free_tcp_port();
  std::string config = "queue_capacity: " + std::to_string(kQueueCapacity) + "\n" +
                       config_header_with_admin(node("relaykill"), admin) + "connectors:\n" +
                       connector_yaml("m", broker.plain()) + "routes:\n  - from: \"m:" + root +
                       "/in\"\n    to: \"m:" + root + "/out\"\n";
  Subscriber out(broker.plain(), {root + "/out"}, 1);
  out.wait_subscribed();
  auto relayed = [&] { return payloads_of(out.messages()); };
  double deferred = 0;
  KillOutcome o = kill_mid_stream(dir, broker, root + "/in", config, relayed, [&] {
    deferred = std::max(deferred, mqtt_metric(admin, "deferred_total"));
  });
  std::cout << "relay kill -9 at QoS 1: " << kKillMessages << " sent, " << o.delivered_at_kill
            << " relayed before the kill, deferred_total " << deferred << " before it, lost "
            << o.lost << ", duplicated " << o.duplicated << "\n";
  RecordProperty("lost", static_cast<int>(o.lost));
  RecordProperty("duplicated", static_cast<int>(o.duplicated));
  // The loss is paho's, measured and reported here for the README (2056 to
  // 2700 of 3000 on the 2-core machine); what the test holds sluice to is
  // that the relay worked before the kill and after the restart. A lower
  // bound on the loss would fail the day the window shrinks, or on a slow
  // machine.
  EXPECT_GT(o.delivered_at_kill, 0u);
  EXPECT_LT(o.lost, static_cast<size_t>(kKillMessages));
}

TEST(MqttSession, SharedSubscriptionSplitsMessagesAcrossTwoProcesses) {
  TempDir dir;
  HostPort broker = shared_broker();
  std::string root = unique_root("share");
  std::string group = "g" + std::to_string(getpid());
  auto config = [&](const std::string& node_id) {
    return config_header(node_id) + "connectors:\n" +
           connector_yaml("m", broker,
                          "    clean_session: true\n    subscriptions: [\"$share/" + group + "/" +
                              root + "/in/#\"]\n") +
           "routes:\n  - from: \"m:" + root + "/in/#\"\n    to: \"m:" + root +
           "/out/${node_id}\"\n";
  };
  auto a = start_with_config(dir, config(node("share-a")), "a.yaml");
  auto b = start_with_config(dir, config(node("share-b")), "b.yaml");
  expect_logged(a, "MQTT connector ready", 1, std::chrono::seconds(20));
  expect_logged(b, "MQTT connector ready", 1, std::chrono::seconds(20));
  Subscriber out(broker, {root + "/out/#"}, 1);
  out.wait_subscribed();
  publish_lines(broker, root + "/in/x", numbered("s-", 200), 1);
  auto got = out.wait_for(200, std::chrono::seconds(20));
  std::map<std::string, int> per_node;
  std::set<std::string> distinct;
  for (const auto& r : got) {
    per_node[r.topic]++;
    distinct.insert(r.payload);
  }
  EXPECT_EQ(got.size(), 200u) << a.output() << b.output();
  EXPECT_EQ(distinct.size(), 200u);
  EXPECT_GT(per_node[root + "/out/" + node("share-a")], 0);
  EXPECT_GT(per_node[root + "/out/" + node("share-b")], 0);
}

}  // namespace
}  // namespace sluice::test::mqtt
