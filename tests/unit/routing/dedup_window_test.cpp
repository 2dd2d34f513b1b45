#include "routing/dedup_window.hpp"

#include <gtest/gtest.h>

namespace sluice::routing {
namespace {

using std::chrono::milliseconds;

TEST(DedupWindow, RepeatWithinTheWindowIsADuplicate) {
  FakeClock clock;
  DedupWindow d(milliseconds(1000), 100);
  EXPECT_FALSE(d.is_duplicate("e1", clock.now()));
  clock.advance(milliseconds(999));
  EXPECT_TRUE(d.is_duplicate("e1", clock.now()));
  EXPECT_FALSE(d.is_duplicate("e2", clock.now()));
  EXPECT_EQ(d.duplicates(), 1u);
}

TEST(DedupWindow, WindowCountsFromTheFirstSightingAndThenExpires) {
  FakeClock clock;
  const auto t0 = clock.now();
  DedupWindow d(milliseconds(1000), 100);
  EXPECT_FALSE(d.is_duplicate("e", t0));
  EXPECT_TRUE(d.is_duplicate("e", t0 + milliseconds(600)));  // does not extend
  EXPECT_FALSE(d.is_duplicate("e", t0 + milliseconds(1000)));
  EXPECT_TRUE(d.is_duplicate("e", t0 + milliseconds(1999)));
  EXPECT_FALSE(d.is_duplicate("e", t0 + milliseconds(2000)));
}

TEST(DedupWindow, ExpiredKeysFreeTheirMemory) {
  FakeClock clock;
  DedupWindow d(milliseconds(10), 1'000'000);
  for (int i = 0; i < 1000; ++i) {
    d.is_duplicate("k" + std::to_string(i), clock.now());
    clock.advance(milliseconds(1));
  }
  EXPECT_LE(d.size(), 10u);
}

TEST(DedupWindow, MaxKeysForgetsTheOldestEarly) {
  FakeClock clock;
  DedupWindow d(milliseconds(1000), 3);
  for (auto k : {"a", "b", "c", "d"}) EXPECT_FALSE(d.is_duplicate(k, clock.now()));
  EXPECT_EQ(d.size(), 3u);
  EXPECT_EQ(d.forgotten_early(), 1u);
  EXPECT_FALSE(d.is_duplicate("a", clock.now()));  // forgotten: passes again
  EXPECT_TRUE(d.is_duplicate("d", clock.now()));
}

}  // namespace
}  // namespace sluice::routing
