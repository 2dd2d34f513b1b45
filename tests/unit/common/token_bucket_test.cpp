#include <gtest/gtest.h>

#include <sluice/common/token_bucket.hpp>

namespace sluice::common {
namespace {

// Moves only when told to; starts away from zero so that a zero time_point
// is never mistaken for "never".
class FakeClock {
 public:
  using time_point = TokenBucket::time_point;
  time_point now() const { return now_; }
  void advance(std::chrono::nanoseconds d) { now_ += d; }
  void set(time_point t) { now_ = t; }

 private:
  time_point now_ = time_point{} + std::chrono::hours(1);
};

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TEST(TokenBucket, StartsFullWithBurstTokens) {
  FakeClock clock;
  TokenBucket bucket(10, 5, clock.now());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(bucket.try_take(clock.now())) << i;
  EXPECT_FALSE(bucket.try_take(clock.now()));
}

TEST(TokenBucket, NextTokenFreesExactlyAfterOneOverRate) {
  FakeClock clock;
  TokenBucket bucket(10, 1, clock.now());
  ASSERT_TRUE(bucket.try_take(clock.now()));
  EXPECT_EQ(bucket.next_available(clock.now()), clock.now() + milliseconds(100));
  clock.advance(milliseconds(100) - nanoseconds(1));
  EXPECT_FALSE(bucket.try_take(clock.now()));
  clock.advance(nanoseconds(1));
  EXPECT_TRUE(bucket.try_take(clock.now()));
}

TEST(TokenBucket, RateThatDoesNotDivideASecondStaysExactOverTime) {
  // 3 per second: tokens at 1/3 s steps (334, 333, 333 ms...), exactly 3 per
  // second in the long run. (Burst 2 so the bucket is never full while
  // drained: a full bucket rightly discards credit beyond its size.)
  FakeClock clock;
  const auto start = clock.now();
  TokenBucket bucket(3, 2, start);
  ASSERT_TRUE(bucket.try_take(start));
  ASSERT_TRUE(bucket.try_take(start));
  int taken = 0;
  for (int i = 0; i < 300; ++i) {
    clock.set(bucket.next_available(clock.now()));
    ASSERT_TRUE(bucket.try_take(clock.now()));
    ++taken;
  }
  EXPECT_EQ(clock.now(), start + seconds(100));
  EXPECT_EQ(taken, 300);
}

TEST(TokenBucket, FractionalRate) {
  FakeClock clock;
  TokenBucket bucket(0.5, 1, clock.now());
  ASSERT_TRUE(bucket.try_take(clock.now()));
  EXPECT_EQ(bucket.next_available(clock.now()), clock.now() + seconds(2));
}

TEST(TokenBucket, RefillsUpToBurstOnlyAndKnowsWhenFull) {
  FakeClock clock;
  TokenBucket bucket(100, 3, clock.now());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(bucket.try_take(clock.now()));
  EXPECT_EQ(bucket.full_at(), clock.now() + milliseconds(30));
  clock.advance(std::chrono::hours(24 * 365));  // a long idle time does not overflow
  EXPECT_EQ(bucket.tokens(clock.now()), 3u);
}

TEST(TokenBucket, IgnoresTimeGoingBackwards) {
  FakeClock clock;
  TokenBucket bucket(1, 1, clock.now());
  ASSERT_TRUE(bucket.try_take(clock.now()));
  EXPECT_FALSE(bucket.try_take(clock.now() - seconds(5)));
  EXPECT_EQ(bucket.next_available(clock.now() - seconds(5)), clock.now() + seconds(1));
}

// Moved from the websocket plugin's throttle tests when its bucket became this one.
TEST(TokenBucket, StartsFullAndRefillsAtRate) {
  FakeClock clock;
  TokenBucket bucket(10, 3, clock.now());
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_FALSE(bucket.try_take(clock.now()));
  EXPECT_EQ(bucket.next_available(clock.now()), clock.now() + milliseconds(100));
  clock.advance(milliseconds(99));
  EXPECT_FALSE(bucket.try_take(clock.now()));
  clock.advance(milliseconds(1));
  EXPECT_TRUE(bucket.try_take(clock.now()));
  clock.advance(seconds(10));  // never more than the burst
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_FALSE(bucket.try_take(clock.now()));
}

TEST(TokenBucket, RefillsOneTokenPerIntervalWithAFakeClock) {
  FakeClock clock;
  TokenBucket bucket(4, 2, clock.now());
  ASSERT_TRUE(bucket.try_take(clock.now()));
  ASSERT_TRUE(bucket.try_take(clock.now()));
  EXPECT_EQ(bucket.tokens(clock.now()), 0u);
  clock.advance(milliseconds(250));
  EXPECT_EQ(bucket.tokens(clock.now()), 1u);
  clock.advance(milliseconds(250));
  EXPECT_EQ(bucket.tokens(clock.now()), 2u);
  EXPECT_EQ(bucket.full_at(), clock.now());
}

TEST(TokenBucket, BurstIsClampedToAtLeastOne) {
  FakeClock clock;
  TokenBucket bucket(1, 0, clock.now());
  EXPECT_EQ(bucket.burst(), 1u);
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_FALSE(bucket.try_take(clock.now()));
}

}  // namespace
}  // namespace sluice::common
