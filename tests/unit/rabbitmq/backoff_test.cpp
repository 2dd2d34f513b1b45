// Reconnect delays: exponential, capped, jittered, reset after success.
#include <gtest/gtest.h>

#include "reconnect_backoff.hpp"

namespace sluice::rabbitmq {
namespace {

TEST(ReconnectBackoff, DoublesUpToTheCapWithoutJitter) {
  ReconnectBackoff b(100, 1000, 0.0, 1);
  EXPECT_EQ(b.next().count(), 100);
  EXPECT_EQ(b.next().count(), 200);
  EXPECT_EQ(b.next().count(), 400);
  EXPECT_EQ(b.next().count(), 800);
  EXPECT_EQ(b.next().count(), 1000);
  EXPECT_EQ(b.next().count(), 1000);
  b.reset();
  EXPECT_EQ(b.next().count(), 100);
}

TEST(ReconnectBackoff, JitterSpreadsWithinItsShare) {
  ReconnectBackoff b(1000, 1000, 0.2, 42);
  int64_t low = 1 << 30, high = 0;
  for (int i = 0; i < 200; ++i) {
    int64_t ms = b.next().count();
    low = std::min(low, ms);
    high = std::max(high, ms);
  }
  EXPECT_GE(low, 800);
  EXPECT_LE(high, 1200);
  EXPECT_LT(low, high);  // not in lockstep
}

}  // namespace
}  // namespace sluice::rabbitmq
