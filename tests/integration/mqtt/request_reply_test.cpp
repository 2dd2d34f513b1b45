// MQTT 5 request/response through sluice: requests answered by a Lua
// handler and by the built-in status command (control_subject), each reply
// on the request's response topic with its correlation data.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <set>

#include "fixture.hpp"
#include "v5_client.hpp"

namespace sluice::test::mqtt {
namespace {

TEST(MqttRequestReply, ThousandV5RequestsAnsweredWithMatchingCorrelationData) {
  TempDir dir;
  HostPort broker = shared_broker();
  std::string root = unique_root("rpc");
  write_file(dir.file("rpc.lua"),
             "sluice.on_request(\"m:" + root +
                 "/rpc\", function(req)\n  return { echo = req:get(\"n\"), node = sluice.node_id "
                 "}\nend)\n");
  auto sluice = start_with_config(dir, config_header("node-rpc") +
                                           "script: rpc.lua\ncontrol_subject: \"m:" + root +
                                           "/ctl\"\nconnectors:\n" + connector_yaml("m", broker));
  expect_logged(sluice, "MQTT connector ready", 1, std::chrono::seconds(20));

  V5Client client(broker, "requester-" + std::to_string(getpid()));
  ASSERT_TRUE(client.connected());
  std::string replies = root + "/replies";
  client.subscribe(replies, 1);
  for (int i = 0; i < 1000; ++i) {
    bool control = i % 10 == 9;  // every tenth goes to the built-in status command
    client.publish(root + (control ? "/ctl" : "/rpc"),
                   control ? R"({"command":"status"})" : R"({"n":)" + std::to_string(i) + "}", 0,
                   replies, "c-" + std::to_string(i));
  }
  std::set<std::string> answered;
  std::vector<std::string> problems;
  while (answered.size() + problems.size() < 1000) {
    auto m = client.receive(std::chrono::seconds(10));
    if (!m) break;
    if (!m->correlation.starts_with("c-")) {
      problems.push_back("no correlation data: " + m->payload);
      continue;
    }
    int i = std::stoi(m->correlation.substr(2));
    auto doc = boost::json::parse(m->payload).as_object();
    bool control = i % 10 == 9;
    if (control ? doc.at("node_id") != "node-rpc"
                : (doc.at("echo").to_number<int>() != i || doc.at("node") != "node-rpc"))
      problems.push_back(m->correlation + ": " + m->payload);
    else
      answered.insert(m->correlation);
  }
  EXPECT_EQ(answered.size(), 1000u) << sluice.output();
  for (const auto& p : problems) ADD_FAILURE() << p;
}

}  // namespace
}  // namespace sluice::test::mqtt

namespace sluice::test::mqtt {
namespace {

// sluice.request("m:<topic>") over MQTT 5: the request carries the
// connector's response topic and a correlation id; here sluice answers
// itself through the broker, and a request nobody answers times out.
TEST(MqttRequestReply, LuaRequestGetsItsReplyOrTimesOut) {
  TempDir dir;
  HostPort broker = shared_broker();
  std::string root = unique_root("luareq");
  write_file(dir.file("req.lua"), "sluice.on_request(\"m:" + root +
                                      "/svc\", function(req)\n"
                                      "  return { pong = req:get(\"q\") }\n"
                                      "end)\n"
                                      "sluice.on(\"m:" +
                                      root +
                                      "/ask/+\", function(msg)\n"
                                      "  local target = msg.subject:match(\"/ask/(.+)$\")\n"
                                      "  local r, err = sluice.request(\"m:" +
                                      root +
                                      "/\" .. target, { q = 7 },\n"
                                      "                                { timeout_ms = 1000 })\n"
                                      "  sluice.publish(\"m:" +
                                      root +
                                      "/answer\", r and r.payload or (\"error: \" .. err))\n"
                                      "end)\n");
  auto sluice = start_with_config(dir, config_header("luareq") + "script: req.lua\nconnectors:\n" +
                                           connector_yaml("m", broker));
  expect_logged(sluice, "MQTT connector ready", 1, std::chrono::seconds(20));
  Subscriber answers(broker, {root + "/answer"}, 1);
  answers.wait_subscribed();
  publish(broker, root + "/ask/svc", "go", 1);
  auto got = answers.wait_for(1, std::chrono::seconds(15));
  ASSERT_EQ(got.size(), 1u) << answers.output() << sluice.output();
  EXPECT_EQ(got[0].payload, R"({"pong":7})");
  publish(broker, root + "/ask/nobody", "go", 1);
  got = answers.wait_for(2, std::chrono::seconds(15));
  ASSERT_EQ(got.size(), 2u) << sluice.output();
  EXPECT_NE(got[1].payload.find("error: "), std::string::npos) << got[1].payload;
}

}  // namespace
}  // namespace sluice::test::mqtt
