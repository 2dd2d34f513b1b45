// Request/reply through sluice: the host's built-in control subject answers
// status and version requests that arrive over NATS, through the plugin's
// reply handle.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "fixture.hpp"

namespace sluice::test::nats {
namespace {

class NatsRequestReply : public ::testing::Test {
 protected:
  void SetUp() override {
    prefix_ = unique_prefix("ctl");
    sluice_ = std::make_unique<SluiceProcess>(start_with_config(dir_, config_header("node-r") + R"(
control_subject: bus:)" + prefix_ + R"(.control
connectors:
  bus:
    plugin: nats
    url: )" + nats_url() + R"(
)"));
    expect_ready(*sluice_);
  }
  void TearDown() override {
    if (sluice_) {
      EXPECT_EQ(sluice_->stop(), 0) << sluice_->output();
    }
  }

  TempDir dir_;
  std::string prefix_;
  std::unique_ptr<SluiceProcess> sluice_;
};

TEST_F(NatsRequestReply, ThousandRequests_AllAnsweredCorrectly) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250;
  std::atomic<int> ok{0};
  std::vector<std::string> failures[kThreads];
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Client client(nats_url());
      for (int i = 0; i < kPerThread; ++i) {
        bool version = (i % 2) == 1;
        auto reply = client.request(
            prefix_ + ".control", version ? R"({"command":"version"})" : R"({"command":"status"})",
            std::chrono::seconds(5));
        if (!reply) {
          failures[t].push_back("request " + std::to_string(i) + " got no reply");
          continue;
        }
        boost::system::error_code ec;
        auto doc = boost::json::parse(reply->payload, ec);
        if (ec || !doc.is_object() || !doc.as_object().contains("node_id") ||
            doc.at("node_id") != "node-r") {
          failures[t].push_back("bad reply: " + reply->payload);
          continue;
        }
        const char* must_have = version ? "version" : "connectors";
        if (!doc.as_object().contains(must_have)) {
          failures[t].push_back("reply lacks '" + std::string(must_have) + "': " + reply->payload);
          continue;
        }
        if (reply->headers.count("Sluice-Node") == 0 ||
            reply->headers.at("Sluice-Node") != "node-r") {
          failures[t].push_back("reply lacks the node id header");
          continue;
        }
        ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& f : failures)
    for (const auto& line : f) ADD_FAILURE() << line;
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
}

TEST_F(NatsRequestReply, StatusReportsTheNatsConnectorHealthy) {
  Client client(nats_url());
  std::string body = status_request(client, prefix_ + ".control");
  ASSERT_FALSE(body.empty()) << sluice_->output();
  auto doc = boost::json::parse(body);
  bool found = false;
  for (const auto& c : doc.at("connectors").as_array()) {
    if (c.at("name") != "bus") continue;
    found = true;
    EXPECT_EQ(c.at("plugin"), "nats");
    EXPECT_EQ(c.at("healthy"), true) << body;
    EXPECT_NE(std::string(c.at("message").as_string()).find("connected to nats://"),
              std::string::npos)
        << body;
  }
  EXPECT_TRUE(found) << body;
}

TEST_F(NatsRequestReply, UnknownCommand_AnsweredWithAnError) {
  Client client(nats_url());
  auto reply =
      client.request(prefix_ + ".control", R"({"command":"reboot"})", std::chrono::seconds(5));
  ASSERT_TRUE(reply.has_value());
  EXPECT_NE(reply->payload.find("unknown command"), std::string::npos) << reply->payload;
}

}  // namespace
}  // namespace sluice::test::nats
