// Exponential backoff with equal jitter: doubling per attempt, capped, the
// draw choosing between half and all of the step.
#include <gtest/gtest.h>

#include <sluice/common/backoff.hpp>

namespace sluice::common {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesPerAttemptAndTheDrawPicksHalfToAll) {
  BackoffPolicy p{100, 10000};
  EXPECT_EQ(backoff_delay(p, 1, 0.0), milliseconds(50));
  EXPECT_EQ(backoff_delay(p, 1, 1.0), milliseconds(100));
  EXPECT_EQ(backoff_delay(p, 2, 1.0), milliseconds(200));
  EXPECT_EQ(backoff_delay(p, 3, 0.5), milliseconds(300));
  EXPECT_EQ(backoff_delay(p, 0, 1.0), milliseconds(100));  // treated as the first
}

TEST(Backoff, StaysWithinTheCapForAnyAttempt) {
  BackoffPolicy p{100, 1000};
  for (int attempt : {5, 40, 2000, INT32_MAX}) {
    EXPECT_EQ(backoff_delay(p, attempt, 1.0), milliseconds(1000)) << attempt;
    EXPECT_EQ(backoff_delay(p, attempt, 0.0), milliseconds(500)) << attempt;
  }
}

TEST(Backoff, AroundSpreadsBothWaysAndResetsWithTheAttempt) {
  auto p = BackoffPolicy::around(100, 1000, 0.2);
  EXPECT_EQ(backoff_delay(p, 1, 0.5), milliseconds(100));
  EXPECT_EQ(backoff_delay(p, 4, 0.5), milliseconds(800));
  EXPECT_EQ(backoff_delay(p, 5, 0.5), milliseconds(1000));
  EXPECT_EQ(backoff_delay(p, 5, 0.0), milliseconds(800));
  EXPECT_EQ(backoff_delay(p, 5, 1.0), milliseconds(1200));
  auto none = BackoffPolicy::around(100, 1000, 0.0);
  for (double draw : {0.0, 0.3, 1.0}) EXPECT_EQ(backoff_delay(none, 2, draw), milliseconds(200));
  // A full jitter never gives 0 for a positive step.
  EXPECT_EQ(backoff_delay(BackoffPolicy::around(100, 1000, 1.0), 1, 0.0), milliseconds(1));
}

TEST(Backoff, RandomDrawsStayInTheJitterRange) {
  Backoff backoff(42);
  BackoffPolicy p{100, 10000};
  for (int i = 0; i < 200; ++i) {
    auto third = backoff.after(p, 3);
    EXPECT_GE(third, milliseconds(200));
    EXPECT_LE(third, milliseconds(400));
  }
}

}  // namespace
}  // namespace sluice::common
