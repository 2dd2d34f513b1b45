// Request/reply over AMQP: requests (messages with reply_to) answered by a
// Lua on_request handler and by the built-in control subject, with their
// correlation ids; and sluice as the requester through direct reply-to.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "fixture.hpp"

namespace sluice::test::rabbitmq {
namespace {

class RabbitRpc : public ::testing::Test {
 protected:
  void TearDown() override {
    if (sluice_) {
      EXPECT_EQ(sluice_->stop(), 0) << sluice_->output();
    }
    AmqpClient admin(amqp_url());
    for (const auto& q : queues_) admin.delete_queue(q);
  }
  TempDir dir_;
  std::vector<std::string> queues_;
  std::unique_ptr<SluiceProcess> sluice_;
};

TEST_F(RabbitRpc, ThousandRequests_AnsweredWithMatchingCorrelationIds) {
  std::string rpc = queues_.emplace_back(unique_name("rpc"));
  std::string ctl = queues_.emplace_back(unique_name("ctl"));
  write_file(dir_.file("rpc.lua"),
             "sluice.on_request(\"bus:" + rpc +
                 "\", function(req)\n  return { echo = req:get(\"n\"), node = sluice.node_id }\n"
                 "end)\n");
  sluice_ = std::make_unique<SluiceProcess>(start_with_config(
      dir_, config_header("node-rpc") + "script: rpc.lua\ncontrol_subject: \"bus:" + ctl +
                "\"\nconnectors:\n  bus:\n    plugin: rabbitmq\n    url: " + amqp_url() +
                "\n    queues: [{name: " + rpc + "}, {name: " + ctl + "}]\n    consume: [" + rpc +
                ", " + ctl + "]\n"));
  expect_ready(*sluice_);

  AmqpClient client(amqp_url());
  std::string replies = client.declare_private_queue();
  std::vector<Publish> batch;
  for (int i = 0; i < 1000; ++i) {
    bool control = i % 10 == 9;  // every tenth goes to the built-in status command
    batch.push_back({"", control ? ctl : rpc,
                     control ? R"({"command":"status"})" : R"({"n":)" + std::to_string(i) + "}",
                     replies, "c-" + std::to_string(i)});
  }
  client.publish_many(batch);
  client.consume(replies);
  std::set<std::string> answered;
  std::vector<std::string> problems;
  while (answered.size() + problems.size() < 1000) {
    auto m = client.next(std::chrono::seconds(10));
    if (!m) break;
    int i = std::stoi(m->correlation_id.substr(2));
    auto doc = boost::json::parse(m->body).as_object();
    bool control = i % 10 == 9;
    if (control ? doc.at("node_id") != "node-rpc"
                : (doc.at("echo").to_number<int>() != i || doc.at("node") != "node-rpc"))
      problems.push_back(m->correlation_id + ": " + m->body);
    else
      answered.insert(m->correlation_id);
  }
  EXPECT_EQ(answered.size(), 1000u) << sluice_->output();
  for (const auto& p : problems) ADD_FAILURE() << p;
}

// sluice as the requester: a Lua handler asks over AMQP (direct reply-to)
// and forwards the answer; the responder is sluice's own on_request.
TEST_F(RabbitRpc, OutgoingRequestsThroughDirectReplyTo_GetTheirReplies) {
  std::string trigger = queues_.emplace_back(unique_name("trigger"));
  std::string service = queues_.emplace_back(unique_name("service"));
  std::string results = queues_.emplace_back(unique_name("results"));
  write_file(dir_.file("rpc.lua"),
             "sluice.on_request(\"bus:" + service +
                 "\", function(req)\n  return { doubled = req:get(\"n\") * 2 }\nend)\n"
                 "sluice.on(\"bus:" +
                 trigger +
                 "\", function(msg)\n"
                 "  local reply, err = sluice.request(\"bus:/" +
                 service +
                 "\", { n = msg:get(\"n\") }, { timeout_ms = 5000 })\n"
                 "  if not reply then error(err) end\n"
                 "  sluice.publish(\"bus:" +
                 results + "\", reply)\nend)\n");
  sluice_ = std::make_unique<SluiceProcess>(start_with_config(
      dir_, config_header("node-req") + "script: rpc.lua\nconnectors:\n  bus:\n    plugin: " +
                "rabbitmq\n    url: " + amqp_url() + "\n    queues: [{name: " + trigger +
                "}, {name: " + service + "}, {name: " + results + "}]\n    consume: [" + trigger +
                ", " + service + "]\n"));
  expect_ready(*sluice_);
  AmqpClient client(amqp_url());
  std::vector<Publish> batch;
  for (int i = 1; i <= 50; ++i)
    batch.push_back({"", trigger, R"({"n":)" + std::to_string(i) + "}"});
  client.publish_many(batch);
  auto got = drain(client, results, 50, std::chrono::seconds(30));
  ASSERT_EQ(got.size(), 50u) << sluice_->output();
  std::set<int> doubled;
  for (const auto& m : got)
    doubled.insert(boost::json::parse(m.body).at("doubled").to_number<int>());
  EXPECT_EQ(doubled.size(), 50u);
  EXPECT_EQ(*doubled.begin(), 2);
  EXPECT_EQ(*doubled.rbegin(), 100);
}

}  // namespace
}  // namespace sluice::test::rabbitmq
