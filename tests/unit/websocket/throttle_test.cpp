// Unit tests of the per-subscription throttle and the send queue, on a fake clock.
#include "throttle.hpp"

#include <gtest/gtest.h>

#include "fake_clock.hpp"
#include "send_queue.hpp"

namespace sluice::websocket {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;
using Verdict = StreamThrottle::Verdict;

OutFrame frame(std::string text, uint64_t tag = 0) {
  OutFrame f;
  f.body = std::make_shared<const std::string>(std::move(text));
  f.stream_tag = tag;
  return f;
}

TEST(StreamThrottle, WithoutLimitsSendsEverything) {
  FakeClock clock;
  StreamThrottle throttle(ThrottleSpec{});
  for (int i = 0; i < 100; ++i) {
    auto f = frame("x");
    EXPECT_EQ(throttle.offer("a", f, clock.now()), Verdict::kSend);
  }
}

TEST(StreamThrottle, RateWithoutBufferDropsExcess) {
  FakeClock clock;
  StreamThrottle throttle(ThrottleSpec{.rate = 2, .burst = 1});
  int sent = 0, dropped = 0;
  // 100 frames/s for 5 s at 2/s per stream: 1 at once, then 2 per second.
  for (int i = 0; i < 500; ++i) {
    auto f = frame("x");
    auto v = throttle.offer("a", f, clock.now());
    sent += v == Verdict::kSend;
    dropped += v == Verdict::kDropped;
    clock.advance(10ms);
  }
  EXPECT_EQ(sent, 10);
  EXPECT_EQ(dropped, 490);
}

TEST(StreamThrottle, StreamsAreLimitedIndependently) {
  FakeClock clock;
  StreamThrottle throttle(ThrottleSpec{.rate = 1, .burst = 1});
  auto a = frame("a"), b = frame("b"), a2 = frame("a2");
  EXPECT_EQ(throttle.offer("dev-a", a, clock.now()), Verdict::kSend);
  EXPECT_EQ(throttle.offer("dev-b", b, clock.now()), Verdict::kSend);
  EXPECT_EQ(throttle.offer("dev-a", a2, clock.now()), Verdict::kDropped);
  EXPECT_EQ(throttle.streams(), 2u);
}

TEST(StreamThrottle, KeepLatestDeliversOnlyTheNewestWhenATokenFrees) {
  FakeClock clock;
  StreamThrottle throttle(ThrottleSpec{.rate = 2, .burst = 1, .keep_latest = true});
  auto first = frame("1");
  EXPECT_EQ(throttle.offer("dev", first, clock.now()), Verdict::kSend);
  auto second = frame("2"), third = frame("3"), fourth = frame("4");
  EXPECT_EQ(throttle.offer("dev", second, clock.now()), Verdict::kHeld);
  EXPECT_EQ(throttle.offer("dev", third, clock.now()), Verdict::kCoalesced);
  EXPECT_EQ(throttle.offer("dev", fourth, clock.now()), Verdict::kCoalesced);
  EXPECT_EQ(throttle.held(), 1u);

  std::vector<OutFrame> out;
  auto next = throttle.release_due(clock.now(), out);
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, clock.now() + 500ms);
  clock.advance(499ms);
  throttle.release_due(clock.now(), out);
  EXPECT_TRUE(out.empty());
  clock.advance(1ms);
  EXPECT_FALSE(throttle.release_due(clock.now(), out).has_value());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(*out[0].body, "4");
  EXPECT_EQ(throttle.held(), 0u);
}

TEST(StreamThrottle, KeepLatestRateIsExactOverTime) {
  FakeClock clock;
  StreamThrottle throttle(ThrottleSpec{.rate = 2, .burst = 1, .keep_latest = true});
  // 50 frames/s for 10 s, released on a 10 ms tick: 2 per second plus the first.
  size_t delivered = 0;
  std::vector<OutFrame> out;
  for (int ms = 0; ms < 10'000; ms += 10) {
    if (ms % 20 == 0) {
      auto f = frame(std::to_string(ms));
      delivered += throttle.offer("dev", f, clock.now()) == Verdict::kSend;
    }
    out.clear();
    throttle.release_due(clock.now(), out);
    delivered += out.size();
    clock.advance(10ms);
  }
  EXPECT_GE(delivered, 20u);
  EXPECT_LE(delivered, 21u);
}

TEST(StreamThrottle, BufferHoldsFramesInOrderAndDropsBeyond) {
  FakeClock clock;
  StreamThrottle throttle(ThrottleSpec{.rate = 1, .burst = 1, .buffer = 2});
  auto f0 = frame("0"), f1 = frame("1"), f2 = frame("2"), f3 = frame("3");
  EXPECT_EQ(throttle.offer("s", f0, clock.now()), Verdict::kSend);
  EXPECT_EQ(throttle.offer("s", f1, clock.now()), Verdict::kHeld);
  EXPECT_EQ(throttle.offer("s", f2, clock.now()), Verdict::kHeld);
  EXPECT_EQ(throttle.offer("s", f3, clock.now()), Verdict::kDropped);
  std::vector<OutFrame> out;
  clock.advance(1s);
  throttle.release_due(clock.now(), out);
  clock.advance(1s);
  throttle.release_due(clock.now(), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(*out[0].body, "1");
  EXPECT_EQ(*out[1].body, "2");
}

TEST(StreamThrottle, NewFramesNeverOvertakeHeldOnes) {
  FakeClock clock;
  StreamThrottle throttle(ThrottleSpec{.rate = 1, .burst = 1, .buffer = 5});
  auto f0 = frame("0"), f1 = frame("1");
  throttle.offer("s", f0, clock.now());
  throttle.offer("s", f1, clock.now());
  clock.advance(1s);  // a token is free, but "1" waits first
  auto f2 = frame("2");
  EXPECT_EQ(throttle.offer("s", f2, clock.now()), Verdict::kHeld);
  std::vector<OutFrame> out;
  throttle.release_due(clock.now(), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(*out[0].body, "1");
}

TEST(StreamThrottle, MinIntervalSpacesFrames) {
  FakeClock clock;
  StreamThrottle throttle(ThrottleSpec{.min_interval = 100ms, .keep_latest = true});
  auto a = frame("a"), b = frame("b");
  EXPECT_EQ(throttle.offer("s", a, clock.now()), Verdict::kSend);
  clock.advance(50ms);
  EXPECT_EQ(throttle.offer("s", b, clock.now()), Verdict::kHeld);
  std::vector<OutFrame> out;
  auto next = throttle.release_due(clock.now(), out);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, clock.now() + 50ms);
  clock.advance(50ms);
  throttle.release_due(clock.now(), out);
  EXPECT_EQ(out.size(), 1u);
}

TEST(StreamThrottle, IdleStreamsAreForgotten) {
  FakeClock clock;
  StreamThrottle throttle(ThrottleSpec{.rate = 100, .burst = 1});
  for (int i = 0; i < 5000; ++i) {
    auto f = frame("x");
    throttle.offer("stream-" + std::to_string(i), f, clock.now());
    clock.advance(1ms);
  }
  EXPECT_LT(throttle.streams(), 2100u);
}

TEST(SendQueue, DropOldestKeepsTheNewest) {
  SendQueue queue(2, SlowClientPolicy::kDropOldest);
  EXPECT_EQ(queue.push(frame("1")), SendQueue::Push::kQueued);
  EXPECT_EQ(queue.push(frame("2")), SendQueue::Push::kQueued);
  EXPECT_EQ(queue.push(frame("3")), SendQueue::Push::kReplacedOlder);
  OutFrame out;
  ASSERT_TRUE(queue.pop(out));
  EXPECT_EQ(*out.body, "2");
  ASSERT_TRUE(queue.pop(out));
  EXPECT_EQ(*out.body, "3");
  EXPECT_FALSE(queue.pop(out));
}

TEST(SendQueue, KeepLatestReplacesTheSameStreamInPlace) {
  SendQueue queue(2, SlowClientPolicy::kKeepLatest);
  queue.push(frame("a1", 7));
  queue.push(frame("b1", 8));
  EXPECT_EQ(queue.push(frame("a2", 7)), SendQueue::Push::kReplacedOlder);
  OutFrame out;
  queue.pop(out);
  EXPECT_EQ(*out.body, "a2");
  queue.pop(out);
  EXPECT_EQ(*out.body, "b1");
}

TEST(SendQueue, KeepLatestFallsBackToDropOldest) {
  SendQueue queue(2, SlowClientPolicy::kKeepLatest);
  queue.push(frame("a", 1));
  queue.push(frame("b", 2));
  EXPECT_EQ(queue.push(frame("c", 3)), SendQueue::Push::kReplacedOlder);
  OutFrame out;
  queue.pop(out);
  EXPECT_EQ(*out.body, "b");
}

TEST(SendQueue, KeepsOrderAcrossWrapsAndGrowth) {
  SendQueue queue(1024, SlowClientPolicy::kDropOldest);  // room for all: nothing is dropped
  int pushed = 0;
  int popped = 0;
  OutFrame out;
  // Pushes run ahead of pops by a varying distance, so the ring wraps at
  // every size it grows through.
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < round % 9 + 1; ++i) queue.push(frame(std::to_string(pushed++)));
    for (int i = 0; i < round % 7 + 1 && queue.pop(out); ++i)
      ASSERT_EQ(*out.body, std::to_string(popped++));
  }
  while (queue.pop(out)) ASSERT_EQ(*out.body, std::to_string(popped++));
  EXPECT_EQ(popped, pushed);
}

TEST(SendQueue, DropOldestAfterWrapKeepsTheNewest) {
  SendQueue queue(3, SlowClientPolicy::kDropOldest);
  OutFrame out;
  queue.push(frame("0"));
  queue.push(frame("1"));
  queue.pop(out);  // the ring's head moves off slot 0
  for (int i = 2; i < 8; ++i) queue.push(frame(std::to_string(i)));
  EXPECT_EQ(queue.size(), 3u);
  for (const char* expected : {"5", "6", "7"}) {
    ASSERT_TRUE(queue.pop(out));
    EXPECT_EQ(*out.body, expected);
  }
}

TEST(SendQueue, IdleAndDrainedQueuesHoldNoSlots) {
  SendQueue queue(4096, SlowClientPolicy::kDropOldest);
  EXPECT_EQ(queue.allocated(), 0u);  // a connected client that got nothing yet
  for (int i = 0; i < 1000; ++i) queue.push(frame("x"));
  EXPECT_GE(queue.allocated(), 1000u);
  OutFrame out;
  while (queue.pop(out)) {
  }
  EXPECT_EQ(queue.allocated(), 0u);  // the burst's slots went back
  queue.push(frame("y"));
  queue.pop(out);
  EXPECT_GT(queue.allocated(), 0u);  // a small ring is kept for steady traffic
  EXPECT_LE(queue.allocated(), 8u);
}

TEST(SendQueue, DisconnectPolicyReportsOverflow) {
  SendQueue queue(1, SlowClientPolicy::kDisconnect);
  EXPECT_EQ(queue.push(frame("1")), SendQueue::Push::kQueued);
  EXPECT_EQ(queue.push(frame("2")), SendQueue::Push::kOverflow);
  EXPECT_EQ(queue.size(), 1u);
}

}  // namespace
}  // namespace sluice::websocket
