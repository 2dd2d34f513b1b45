// The worker ingress queue: the bound, batch pops, and the wake-ups of
// producers blocked on a full queue (woken when it is half empty).
#include "runtime/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace sluice::runtime {
namespace {

using namespace std::chrono_literals;

TEST(BoundedQueue, RefusesBeyondItsBoundWithoutWaiting) {
  BoundedQueue<int> q(3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(q.push(i, 0ms));
  EXPECT_FALSE(q.push(3, 0ms));
  q.push_always(4);  // already accounted for elsewhere: never refused
  EXPECT_EQ(q.size(), 4u);
  std::vector<int> out;
  EXPECT_TRUE(q.pop_batch(out, 10, 0ms));
  EXPECT_EQ(out, (std::vector<int>{0, 1, 2, 4}));
}

TEST(BoundedQueue, BlockedProducerLosesNothingAndKeepsOrder) {
  constexpr int kItems = 20000;
  BoundedQueue<int> q(64);
  std::thread producer([&] {
    for (int i = 0; i < kItems; ++i) ASSERT_TRUE(q.push(i, 10s));
  });
  std::vector<int> got, batch;
  while (got.size() < kItems) {
    batch.clear();
    ASSERT_TRUE(q.pop_batch(batch, 7, 10s));  // small batches: many wake-ups
    got.insert(got.end(), batch.begin(), batch.end());
  }
  producer.join();
  for (int i = 0; i < kItems; ++i) ASSERT_EQ(got[i], i);
}

// Producers are woken only at half; one whose wait runs out meanwhile still
// gets in when there is room, rather than being told the queue is full.
TEST(BoundedQueue, TimedPushSucceedsOnRoomBelowTheWakeUpMark) {
  BoundedQueue<int> q(4);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(q.push(i, 0ms));
  std::thread consumer([&] {
    std::this_thread::sleep_for(20ms);
    std::vector<int> out;
    q.pop_batch(out, 1, 0ms);  // 3 left: above half, no wake-up
  });
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(q.push(4, 200ms));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 150ms);
  consumer.join();
  EXPECT_EQ(q.size(), 4u);
}

TEST(BoundedQueue, DrainingToHalfWakesTheProducerAtOnce) {
  BoundedQueue<int> q(4);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(q.push(i, 0ms));
  std::thread consumer([&] {
    std::this_thread::sleep_for(20ms);
    std::vector<int> out;
    q.pop_batch(out, 2, 0ms);  // 2 left: half, the producer is woken
  });
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(q.push(4, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  consumer.join();
}

TEST(BoundedQueue, CloseReleasesWaitingProducerAndConsumer) {
  BoundedQueue<int> full(1), empty(1);
  ASSERT_TRUE(full.push(0, 0ms));
  std::atomic<bool> pushed{true}, popped{true};
  std::thread producer([&] { pushed = full.push(1, 10s); });
  std::thread consumer([&] {
    std::vector<int> out;
    popped = empty.pop_batch(out, 1, 10s);
  });
  std::this_thread::sleep_for(20ms);
  full.close();
  empty.close();
  producer.join();
  consumer.join();
  EXPECT_FALSE(pushed.load());
  EXPECT_FALSE(popped.load());
}

}  // namespace
}  // namespace sluice::runtime
