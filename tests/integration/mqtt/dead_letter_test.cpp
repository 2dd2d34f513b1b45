// Messages sluice cannot take as they are: a payload over max_payload_bytes
// (the plugin refuses it: counted, sent to dead_letter_topic with the reason)
// and a non-JSON payload for a route whose `where` reads JSON (the host
// fails it for that route: counted, sent to the route's dead_letter).
#include <gtest/gtest.h>

#include <sstream>

#include "fixture.hpp"

namespace sluice::test::mqtt {
namespace {

struct Delivered {
  std::string topic;
  std::string properties;  // MQTT 5 user properties, "name:value name:value"
  std::string payload;
};

// mosquitto_sub -V mqttv5 printing each message's user properties too.
class PropertiesSubscriber {
 public:
  PropertiesSubscriber(const HostPort& broker, const std::vector<std::string>& filters)
      : process_(argv(broker, filters)) {
    bool ok =
        wait_until([&] { return process_.output().find("received SUBACK") != std::string::npos; },
                   std::chrono::seconds(10));
    EXPECT_TRUE(ok) << process_.output();
  }
  std::vector<Delivered> wait_for(size_t count) {
    std::vector<Delivered> out;
    wait_until(
        [&] {
          out.clear();
          std::istringstream in(process_.output());
          for (std::string line; std::getline(in, line);) {
            if (!line.starts_with("MSG|")) continue;
            size_t a = line.find('|', 4), b = line.find('|', a + 1);
            out.push_back(
                {line.substr(4, a - 4), line.substr(a + 1, b - a - 1), line.substr(b + 1)});
          }
          return out.size() >= count;
        },
        std::chrono::seconds(20));
    return out;
  }
  std::string output() const { return process_.output(); }

 private:
  static std::vector<std::string> argv(const HostPort& broker,
                                       const std::vector<std::string>& filters) {
    std::vector<std::string> argv = {"stdbuf",
                                     "-oL",
                                     "mosquitto_sub",
                                     "-d",
                                     "-V",
                                     "mqttv5",
                                     "-h",
                                     broker.host,
                                     "-p",
                                     std::to_string(broker.port),
                                     "-q",
                                     "1",
                                     "-F",
                                     "MSG|%t|%P|%p"};
    for (const auto& f : filters) argv.insert(argv.end(), {"-t", f});
    return argv;
  }

  Process process_;
};

class MqttDeadLetter : public ::testing::Test {
 protected:
  TempDir dir_;
  HostPort broker_ = shared_broker();
  std::string root_ = unique_root("dead");
  uint16_t admin_ = free_tcp_port();
};

TEST_F(MqttDeadLetter, OversizedPayloadIsCountedAndSentToDeadLetterTopicWithTheReason) {
  auto sluice = start_with_config(
      dir_, config_header_with_admin("big", admin_) + "connectors:\n" +
                connector_yaml(
                    "m", broker_,
                    "    max_payload_bytes: 16\n    dead_letter_topic: \"" + root_ + "/dlq\"\n") +
                "routes:\n  - from: \"m:" + root_ + "/in\"\n    to: \"m:" + root_ + "/out\"\n");
  expect_logged(sluice, "MQTT connector ready", 1, std::chrono::seconds(20));
  PropertiesSubscriber sub(broker_, {root_ + "/out", root_ + "/dlq"});
  std::string big(17, 'x');  // one byte over
  publish_lines(broker_, root_ + "/in", {"sixteen-bytes-ok", big, "after"}, 1);
  auto got = sub.wait_for(3);
  ASSERT_EQ(got.size(), 3u) << sub.output() << sluice.output();
  std::map<std::string, std::vector<Delivered>> by_topic;
  for (const auto& d : got) by_topic[d.topic].push_back(d);
  ASSERT_EQ(by_topic[root_ + "/dlq"].size(), 1u) << sub.output();
  const Delivered& dead = by_topic[root_ + "/dlq"][0];
  EXPECT_EQ(dead.payload, big);
  EXPECT_EQ(dead.properties, "sluice-reason:oversized sluice-topic:" + root_ + "/in");
  ASSERT_EQ(by_topic[root_ + "/out"].size(), 2u) << sub.output();
  EXPECT_EQ(by_topic[root_ + "/out"][0].payload, "sixteen-bytes-ok");
  EXPECT_EQ(by_topic[root_ + "/out"][1].payload, "after");
  expect_metric(admin_, "dropped_oversized_total", 1);
  expect_metric(admin_, "received_qos1_total", 2);
  expect_logged(sluice,
                "MQTT message on '" + root_ +
                    "/in' (17 bytes) not emitted: oversized; sent to dead_letter_topic",
                1, std::chrono::seconds(5));
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

TEST_F(MqttDeadLetter, NonJsonPayloadForAJsonWhereIsCountedAndDeadLetteredWithTheError) {
  auto sluice = start_with_config(
      dir_,
      config_header_with_admin("json", admin_) + "connectors:\n" + connector_yaml("m", broker_) +
          "routes:\n  - name: hot\n    from: \"m:" + root_ + "/in\"\n    to: \"m:" + root_ +
          "/hot\"\n    where: {celsius: {gt: 80}}\n    dead_letter: \"m:" + root_ + "/dlq\"\n");
  expect_logged(sluice, "MQTT connector ready", 1, std::chrono::seconds(20));
  PropertiesSubscriber sub(broker_, {root_ + "/hot", root_ + "/dlq"});
  publish_lines(broker_, root_ + "/in",
                {R"({"celsius": 90})", "celsius=91", R"({"celsius": 10})", R"({"celsius": 95})"},
                1);
  auto got = sub.wait_for(3);
  std::map<std::string, std::vector<Delivered>> by_topic;
  for (const auto& d : got) by_topic[d.topic].push_back(d);
  ASSERT_EQ(by_topic[root_ + "/dlq"].size(), 1u) << sub.output() << sluice.output();
  const Delivered& dead = by_topic[root_ + "/dlq"][0];
  EXPECT_EQ(dead.payload, "celsius=91");
  EXPECT_EQ(dead.properties, "sluice-error:payload is not JSON");
  ASSERT_EQ(by_topic[root_ + "/hot"].size(), 2u) << sub.output();
  EXPECT_EQ(by_topic[root_ + "/hot"][0].payload, R"({"celsius": 90})");
  EXPECT_EQ(by_topic[root_ + "/hot"][1].payload, R"({"celsius": 95})");
  std::string route = "{route=\"hot\"";
  EXPECT_TRUE(
      wait_until([&] { return scrape(admin_, "sluice_route_parse_errors_total" + route) == 1; },
                 std::chrono::seconds(10)))
      << http_get("127.0.0.1", admin_, "/metrics").body;
  EXPECT_EQ(scrape(admin_, "sluice_route_dead_lettered_total" + route), 1);
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

}  // namespace
}  // namespace sluice::test::mqtt
