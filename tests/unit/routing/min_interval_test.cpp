#include "routing/min_interval.hpp"

#include <gtest/gtest.h>

namespace sluice::routing {
namespace {

using std::chrono::milliseconds;

TEST(MinInterval, AllowsOnePerInterval) {
  FakeClock clock;
  MinInterval limit(milliseconds(250));
  EXPECT_TRUE(limit.try_take(clock.now()));
  EXPECT_FALSE(limit.try_take(clock.now() + milliseconds(249)));
  EXPECT_EQ(limit.next_available(clock.now()), clock.now() + milliseconds(250));
  EXPECT_TRUE(limit.try_take(clock.now() + milliseconds(250)));
}

}  // namespace
}  // namespace sluice::routing
