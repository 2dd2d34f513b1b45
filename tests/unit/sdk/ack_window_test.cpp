// AckWindow: the commit point never passes an unfinished position, however
// completions are ordered.
#include <gtest/gtest.h>

#include <sluice/ack_window.hpp>

namespace sluice {
namespace {

TEST(AckWindow, AckWindow_CommitsOnlyContiguousCompletions) {
  AckWindow w(100);
  for (int i = 0; i < 5; ++i) w.track();  // 100..104
  EXPECT_FALSE(w.complete(102).has_value());
  EXPECT_FALSE(w.complete(101).has_value());
  EXPECT_EQ(w.commit_point(), 100u);
  EXPECT_EQ(w.complete(100), 103u);  // 100, 101, 102 done; 103 is not
  EXPECT_EQ(w.complete(104), std::nullopt);
  EXPECT_EQ(w.complete(103), 105u);
  EXPECT_EQ(w.in_flight(), 0u);
}

TEST(AckWindow, AckWindow_SkipsGapsBetweenTrackedOffsets) {
  AckWindow w(0);
  w.track(10);
  w.track(15);  // offsets 11..14 were compacted away
  EXPECT_EQ(w.complete(10), 15u);
  EXPECT_EQ(w.complete(15), 16u);
}

TEST(AckWindow, AckWindow_IgnoresUnknownAndRepeatedCompletions) {
  AckWindow w(0);
  w.track();
  EXPECT_FALSE(w.complete(7).has_value());
  EXPECT_EQ(w.complete(0), 1u);
  EXPECT_FALSE(w.complete(0).has_value());
  EXPECT_EQ(w.commit_point(), 1u);
}

TEST(AckWindow, AckWindow_RandomOrderNeverCommitsPastAHole) {
  AckWindow w(0);
  constexpr uint64_t kN = 1000;
  for (uint64_t i = 0; i < kN; ++i) w.track();
  std::vector<uint64_t> order(kN);
  for (uint64_t i = 0; i < kN; ++i) order[i] = (i * 7919) % kN;  // a permutation
  std::vector<bool> done(kN);
  for (uint64_t p : order) {
    auto moved = w.complete(p);
    done[p] = true;
    uint64_t expect = 0;
    while (expect < kN && done[expect]) ++expect;
    EXPECT_EQ(w.commit_point(), expect);
    if (moved) {
      EXPECT_EQ(*moved, expect);
    }
  }
  EXPECT_EQ(w.commit_point(), kN);
}

}  // namespace
}  // namespace sluice
