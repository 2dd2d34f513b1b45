// basic.ack coalescing: one multiple=true ack where every lower delivery is
// settled, never covering a delivery that was not processed.
#include "ack_coalescer.hpp"

#include <gtest/gtest.h>

namespace sluice::rabbitmq {
namespace {

using Ack = AckCoalescer::Ack;

TEST(AckCoalescer, InOrderAcksBecomeOneMultipleAck) {
  AckCoalescer c;
  for (uint64_t t = 1; t <= 5; ++t) c.received(t);
  for (uint64_t t = 1; t <= 5; ++t) c.acked(t);
  EXPECT_EQ(c.take(), (std::vector<Ack>{{5, true}}));
  EXPECT_EQ(c.unsettled(), 0u);
  EXPECT_TRUE(c.take().empty());
}

TEST(AckCoalescer, AnUnackedDeliveryBelowStopsTheMultipleAck) {
  AckCoalescer c;
  for (uint64_t t = 1; t <= 6; ++t) c.received(t);
  c.acked(1);
  c.acked(2);
  c.acked(4);
  c.acked(6);
  // 3 and 5 are still being processed: only 1..2 may be covered.
  EXPECT_EQ(c.take(), (std::vector<Ack>{{2, true}, {4, false}, {6, false}}));
  c.acked(3);
  c.acked(5);
  EXPECT_EQ(c.take(), (std::vector<Ack>{{5, true}}));
}

TEST(AckCoalescer, ReceivedButNotYetEmittedIsNeverCovered) {
  AckCoalescer c;
  c.received(1);
  c.received(2);  // waiting in the I/O thread for room in sluice
  c.received(3);
  c.acked(1);
  c.acked(3);
  EXPECT_EQ(c.take(), (std::vector<Ack>{{1, false}, {3, false}}));
  EXPECT_EQ(c.unsettled(), 1u);
}

TEST(AckCoalescer, NackedDeliveriesDoNotHoldBackLaterAcks) {
  AckCoalescer c;
  for (uint64_t t = 1; t <= 3; ++t) c.received(t);
  c.settled(1);  // nacked
  c.acked(2);
  c.acked(3);
  EXPECT_EQ(c.take(), (std::vector<Ack>{{3, true}}));
}

TEST(AckCoalescer, SingleAckIsNotMultipleAndResetForgetsTheChannel) {
  AckCoalescer c;
  c.received(7);
  c.acked(7);
  EXPECT_EQ(c.take(), (std::vector<Ack>{{7, false}}));
  c.received(8);
  c.acked(8);
  c.reset();
  EXPECT_TRUE(c.take().empty());
  EXPECT_EQ(c.unsettled(), 0u);
}

}  // namespace
}  // namespace sluice::rabbitmq
