// The at-least-once record: its owner gets it back exactly once, when the
// last hold settles, with the outcome every hold agreed on.
#include "runtime/delivery.hpp"

#include <gtest/gtest.h>

#include "probe_plugin.hpp"
#include "runtime/runtime.hpp"

namespace sluice::runtime {
namespace {

struct RecordingOwner : DeliveryOwner {
  void finish(std::unique_ptr<Delivery> delivery, bool ok) override {
    finished.push_back({delivery->ack_id(), ok});
  }
  std::vector<std::pair<uint64_t, bool>> finished;
};

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(plugins_.add_linked(probe_plugin_descriptor(), "linked"), "");
    config::ConnectorConfig cc;
    cc.name = "src";
    cc.plugin = "probe";
    runtime_ = std::make_unique<Runtime>(config::Config{}, plugins_);
    source_ =
        std::make_unique<Connector>(*runtime_, cc, *plugins_.find("probe"), runtime_->metrics());
  }

  Delivery& open(uint64_t ack_id) {
    auto message = std::make_shared<message::Envelope>();
    message->payload = "hello";
    return Delivery::open(
        std::make_unique<Delivery>(owner_, message, *source_, ack_id, Delivery::Clock::now()));
  }

  loader::PluginRegistry plugins_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<Connector> source_;
  RecordingOwner owner_;
};

TEST_F(DeliveryTest, Delivery_FinishesOnceWhenTheLastHoldSettles) {
  Delivery& d = open(7);
  EXPECT_EQ(&d.source(), source_.get());
  EXPECT_EQ(d.message()->payload, "hello");
  d.hold();
  d.hold();
  d.settle(true);  // the routing step
  d.settle(true);
  EXPECT_TRUE(owner_.finished.empty());
  d.settle(true);
  ASSERT_EQ(owner_.finished.size(), 1u);
  EXPECT_EQ(owner_.finished[0], std::make_pair(uint64_t{7}, true));
}

TEST_F(DeliveryTest, Delivery_OneFailedHoldNacksTheSource) {
  Delivery& d = open(8);
  d.hold();
  d.settle(false);
  d.settle(true);
  ASSERT_EQ(owner_.finished.size(), 1u);
  EXPECT_EQ(owner_.finished[0], std::make_pair(uint64_t{8}, false));
}

TEST_F(DeliveryTest, Delivery_MarkedFailedNacksWithoutSettlingEarly) {
  Delivery& d = open(9);
  d.hold();
  d.mark_failed();
  d.settle(true);
  EXPECT_TRUE(owner_.finished.empty());
  d.settle(true);
  ASSERT_EQ(owner_.finished.size(), 1u);
  EXPECT_FALSE(owner_.finished[0].second);
}

}  // namespace
}  // namespace sluice::runtime
