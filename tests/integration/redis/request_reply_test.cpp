// Request/reply over Redis pub/sub with the JSON envelope: a Lua
// on_request answers a request published by redis-cli, the built-in status
// command answers on control_subject, and sluice.request waits for a reply
// through Redis (and fails at once when nobody subscribes).
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::redis {
namespace {

class RedisRequestReply : public ::testing::Test {
 protected:
  void TearDown() override {
    if (subscriber_) subscriber_->stop();
    if (sluice_) sluice_->stop();
    if (!list_.empty()) cli({"DEL", list_});
  }
  void run(const std::string& yaml, const std::string& script) {
    write_file(dir_.file("routes.lua"), script);
    sluice_ = std::make_unique<SluiceProcess>(
        start_with_config(dir_, config_header("node-rr") + "script: routes.lua\n" + yaml));
    expect_ready(*sluice_);
  }
  // A redis-cli subscribed to `channel`, its replies in its output.
  void subscribe(const std::string& channel) {
    subscriber_ = std::make_unique<Process>(std::vector<std::string>{
        "redis-cli", "-h", "127.0.0.1", "-p", std::to_string(shared_port()), "SUBSCRIBE", channel});
    ASSERT_TRUE(wait_until(
        [&] {
          return cli({"PUBSUB", "NUMSUB", channel}).find("\n1") != std::string::npos;
        },
        std::chrono::seconds(10)));
  }
  void wait_subscribed(const std::string& channel) {
    ASSERT_TRUE(wait_until(
        [&] {
          return cli({"PUBSUB", "NUMSUB", channel}).find("\n1") != std::string::npos;
        },
        std::chrono::seconds(10)))
        << sluice_->output();
  }

  TempDir dir_;
  std::string list_;
  std::unique_ptr<SluiceProcess> sluice_;
  std::unique_ptr<Process> subscriber_;
};

TEST_F(RedisRequestReply, OnRequestAnswersARequestFromRedisCli) {
  std::string cmd = unique_name("rr-cmd"), reply = unique_name("rr-reply");
  run("connectors:\n  r:\n    plugin: redis\n    url: " + redis_url() + "\n    requests: [" + cmd +
          "]\n",
      "sluice.on_request(\"r:" + cmd +
          "\", function(req)\n"
          "  return { status = 'ok', node = sluice.node_id, echo = req:get('command') }\n"
          "end)\n");
  wait_subscribed(cmd);
  subscribe(reply);
  cli({"PUBLISH", cmd,
       R"({"id":"7","reply_to":")" + reply + R"(","payload":{"command":"uptime"}})"});
  ASSERT_TRUE(subscriber_->wait_for_output("\"id\":\"7\"", std::chrono::seconds(10)))
      << subscriber_->output() << sluice_->output();
  std::string out = subscriber_->output();
  EXPECT_NE(out.find("\"node\":\"node-rr\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"echo\":\"uptime\""), std::string::npos) << out;
}

TEST_F(RedisRequestReply, ControlSubjectStatusOverRedis) {
  std::string ctl = unique_name("rr-ctl"), reply = unique_name("rr-ctl-reply");
  run("control_subject: \"r:" + ctl + "\"\nconnectors:\n  r:\n    plugin: redis\n    url: " +
          redis_url() + "\n    requests: [" + ctl + "]\n",
      "");
  wait_subscribed(ctl);
  subscribe(reply);
  cli({"PUBLISH", ctl,
       R"({"id":"c1","reply_to":")" + reply + R"(","payload":{"command":"status"}})"});
  ASSERT_TRUE(subscriber_->wait_for_output("\"id\":\"c1\"", std::chrono::seconds(10)))
      << subscriber_->output() << sluice_->output();
  EXPECT_NE(subscriber_->output().find("node-rr"), std::string::npos) << subscriber_->output();
}

TEST_F(RedisRequestReply, MalformedRequestIsDroppedAndCounted) {
  std::string cmd = unique_name("rr-bad");
  run("connectors:\n  r:\n    plugin: redis\n    url: " + redis_url() + "\n    requests: [" + cmd +
          "]\n",
      "sluice.on_request(\"r:" + cmd + "\", function(req) return 'x' end)\n");
  wait_subscribed(cmd);
  cli({"PUBLISH", cmd, "not json"});
  expect_logged(*sluice_, "is no request (not a JSON object): dropped", 1,
                std::chrono::seconds(10));
}

TEST_F(RedisRequestReply, SluiceRequestWaitsForTheReplyThroughRedis) {
  std::string svc = unique_name("rr-svc"), nobody = unique_name("rr-nobody");
  list_ = unique_name("rr-out");
  run("connectors:\n  r:\n    plugin: redis\n    url: " + redis_url() + "\n    requests: [" + svc +
          "]\n    sink: rpush\n  gen:\n    plugin: generate\n    count: 5\n"
          "    payload: '{\"n\": ${counter}}'\n",
      "sluice.on_request(\"r:" + svc +
          "\", function(req) return { doubled = req:get('n') * 2 } end)\n"
          "sluice.on(\"gen\", function(msg)\n"
          "  local rep, err = sluice.request(\"r:" +
          svc +
          "\", msg, { timeout_ms = 5000 })\n"
          "  sluice.publish(\"r:" +
          list_ +
          "\", rep and rep.payload or ('error: ' .. tostring(err)))\n"
          "  local _, err2 = sluice.request(\"r:" +
          nobody +
          "\", msg, { timeout_ms = 5000 })\n"
          "  sluice.publish(\"r:" +
          list_ +
          "\", 'nobody: ' .. tostring(err2))\n"
          "end)\n");
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", list_}) >= 10;
      },
      std::chrono::seconds(20)))
      << sluice_->output();
  std::string all = cli({"LRANGE", list_, "0", "-1"});
  EXPECT_NE(all.find("{\"doubled\":2}"), std::string::npos) << all;
  EXPECT_NE(all.find("{\"doubled\":10}"), std::string::npos) << all;
  EXPECT_NE(all.find("nobody: nobody subscribes to channel"), std::string::npos) << all;
}

}  // namespace
}  // namespace sluice::test::redis
