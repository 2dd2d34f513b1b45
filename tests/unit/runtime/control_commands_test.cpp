// The built-in commands on control_subject: which messages they answer and
// what the reply says.
#include "runtime/control_commands.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "probe_plugin.hpp"
#include "runtime/runtime.hpp"

namespace sluice::runtime {
namespace {

struct NoOwner : DeliveryOwner {
  void finish(std::unique_ptr<Delivery>, bool) override {}
};

struct CapturingDispatch : Dispatch {
  void send(Delivery&, Output output) override { sent.push_back(std::move(output)); }
  void send_unowned(Output output) override { sent.push_back(std::move(output)); }
  size_t worker_index() const override { return 0; }
  void post(std::function<void()>) override {}
  std::vector<Output> sent;
};

class ControlCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(plugins_.add_linked(probe_plugin_descriptor(), "linked"), "");
    runtime_ = std::make_unique<Runtime>(config::Config{}, plugins_);
    control_connector_ = connector("nats");
    other_connector_ = connector("kafka");
    control_ = std::make_unique<ControlCommands>(*control_connector_, "sluice.control", "node-7",
                                                 [] { return R"({"status":"fine"})"; });
  }

  std::unique_ptr<Connector> connector(const std::string& name) {
    config::ConnectorConfig cc;
    cc.name = name;
    cc.plugin = "probe";
    return std::make_unique<Connector>(*runtime_, cc, *plugins_.find("probe"), runtime_->metrics());
  }

  // Runs the commands on a message; the delivery stays with the test.
  bool handle(Connector& from, const std::string& subject, const std::string& payload,
              const std::string& reply_to) {
    auto m = std::make_shared<message::Envelope>();
    m->subject = subject;
    m->payload = payload;
    m->reply_to = reply_to;
    Delivery delivery(owner_, m, from, 1, Delivery::Clock::now());
    return control_->handle(delivery, out_);
  }

  boost::json::object reply_body() const {
    return boost::json::parse(out_.sent.at(0).message->payload).as_object();
  }

  loader::PluginRegistry plugins_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<Connector> control_connector_;
  std::unique_ptr<Connector> other_connector_;
  std::unique_ptr<ControlCommands> control_;
  NoOwner owner_;
  CapturingDispatch out_;
};

TEST_F(ControlCommandsTest, Control_AnswersStatusWithAReplyToTheRequester) {
  ASSERT_TRUE(handle(*control_connector_, "sluice.control", R"({"command":"status"})", "inbox.1"));
  ASSERT_EQ(out_.sent.size(), 1u);
  const Output& reply = out_.sent[0];
  EXPECT_EQ(reply.kind, OutputKind::kReply);
  EXPECT_EQ(reply.target.connector, control_connector_.get());
  EXPECT_EQ(reply.target.subject, "inbox.1");
  EXPECT_EQ(reply.message->reply_to, "inbox.1");
  EXPECT_EQ(reply_body().at("status").as_string(), "fine");
}

TEST_F(ControlCommandsTest, Control_AnswersVersionWithTheNodeId) {
  ASSERT_TRUE(handle(*control_connector_, "sluice.control", R"({"command":"version"})", "inbox"));
  auto body = reply_body();
  EXPECT_EQ(body.at("node_id").as_string(), "node-7");
  EXPECT_EQ(body.at("version").as_string(), SLUICE_VERSION);
}

TEST_F(ControlCommandsTest, Control_NamesTheKnownCommandsForAnUnknownOne) {
  ASSERT_TRUE(handle(*control_connector_, "sluice.control", R"({"command":"reboot"})", "inbox"));
  std::string error(reply_body().at("error").as_string());
  EXPECT_NE(error.find("unknown command 'reboot'"), std::string::npos) << error;
}

TEST_F(ControlCommandsTest, Control_LeavesOtherMessagesToTheRouter) {
  EXPECT_FALSE(handle(*control_connector_, "sluice.control", R"({"command":"status"})", ""));
  EXPECT_FALSE(handle(*control_connector_, "orders", R"({"command":"status"})", "inbox"));
  EXPECT_FALSE(handle(*other_connector_, "sluice.control", R"({"command":"status"})", "inbox"));
  EXPECT_TRUE(out_.sent.empty());
}

}  // namespace
}  // namespace sluice::runtime
