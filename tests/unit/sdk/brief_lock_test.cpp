// lock_briefly: the spinning path and the blocking path both exclude.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <sluice/brief_lock.hpp>
#include <thread>
#include <vector>

namespace sluice {
namespace {

TEST(BriefLock, ThreadsIncrementingUnderItLoseNoUpdate) {
  std::mutex m;
  uint64_t counter = 0;  // deliberately not atomic: the lock is all that guards it
  constexpr int kThreads = 4, kEach = 200000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        BriefLock lock(m);
        ++counter;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, uint64_t{kThreads} * kEach);
}

TEST(BriefLock, WaitsForAHolderThatKeepsTheLockLongerThanTheSpin) {
  std::mutex m;
  m.lock();
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    BriefLock lock(m);
    got = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // far beyond the spin
  EXPECT_FALSE(got.load());
  m.unlock();
  waiter.join();
  EXPECT_TRUE(got.load());
}

}  // namespace
}  // namespace sluice
