// The virtual clock `sluice test` runs timers on: nothing fires until the
// clock is advanced past it, timers fire in due order at their own moment,
// periodic ones re-arm, cancelled ones never run.
#include "runtime/virtual_timer_service.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::runtime {
namespace {

using std::chrono::milliseconds;

TEST(VirtualTimerService, FiresInDueOrderAtTheirOwnMoment) {
  VirtualTimerService timers;
  auto start = timers.clock().now();
  std::vector<std::pair<int, int64_t>> fired;  // which, at ms since start
  auto at = [&] {
    return std::chrono::duration_cast<milliseconds>(timers.clock().now() - start).count();
  };
  timers.start(milliseconds(300), milliseconds(0), [&] { fired.emplace_back(2, at()); });
  timers.start(milliseconds(100), milliseconds(0), [&] { fired.emplace_back(1, at()); });
  EXPECT_FALSE(timers.fire_next(start + milliseconds(99)));
  EXPECT_TRUE(fired.empty());
  EXPECT_EQ(at(), 99);
  while (timers.fire_next(start + milliseconds(1000))) {
  }
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0], std::make_pair(1, int64_t{100}));
  EXPECT_EQ(fired[1], std::make_pair(2, int64_t{300}));
  EXPECT_EQ(at(), 1000);
  EXPECT_FALSE(timers.next_due());
}

TEST(VirtualTimerService, PeriodicTimersReArmAndCancelledOnesNeverRun) {
  VirtualTimerService timers;
  auto start = timers.clock().now();
  int ticks = 0, cancelled_runs = 0;
  timers.start(milliseconds(10), milliseconds(10), [&] { ++ticks; });
  auto id = timers.start(milliseconds(5), milliseconds(0), [&] { ++cancelled_runs; });
  timers.cancel(id);
  while (timers.fire_next(start + milliseconds(35))) {
  }
  EXPECT_EQ(ticks, 3);  // at 10, 20 and 30
  EXPECT_EQ(cancelled_runs, 0);
  EXPECT_EQ(timers.next_due(), start + milliseconds(40));
}

TEST(VirtualTimerService, ATimerStartedByATimerFiresInTheSameAdvance) {
  VirtualTimerService timers;
  auto start = timers.clock().now();
  bool second = false;
  timers.start(milliseconds(10), milliseconds(0),
               [&] { timers.start(milliseconds(10), milliseconds(0), [&] { second = true; }); });
  while (timers.fire_next(start + milliseconds(20))) {
  }
  EXPECT_TRUE(second);
}

}  // namespace
}  // namespace sluice::runtime
