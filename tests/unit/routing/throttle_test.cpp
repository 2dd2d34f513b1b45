#include "routing/throttle.hpp"

#include <gtest/gtest.h>

#include "message_builder.hpp"

namespace sluice::routing {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using test::make_message;
using Action = ThrottleDecision::Action;

message::EnvelopePtr msg(std::string payload) { return make_message(std::move(payload)); }

struct Delivered {
  std::string key;
  std::string payload;
  Clock::time_point due;
};

std::vector<Delivered> release(Throttle& t, Clock::time_point now) {
  std::vector<Delivered> out;
  t.release_due(now, [&](const Throttle::Released& r) {
    out.push_back({std::string(r.key), r.message->payload, r.due});
  });
  return out;
}

TEST(Throttle, WithoutLimitsEverythingPasses) {
  FakeClock clock;
  Throttle t(ThrottleSpec{});
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(t.offer("k", msg("m"), clock.now()).action, Action::kSendNow);
  EXPECT_EQ(t.counters().passed, 100u);
  EXPECT_FALSE(t.next_release_time());
}

TEST(Throttle, BurstPassesThenExcessIsDroppedWithoutBuffer) {
  FakeClock clock;
  Throttle t(ThrottleSpec{.rate = 10, .burst = 5});
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(t.offer("k", msg("m"), clock.now()).action, Action::kSendNow);
  auto m = msg("extra");
  auto d = t.offer("k", m, clock.now());
  EXPECT_EQ(d.action, Action::kDropped);
  EXPECT_EQ(d.dropped, m);
  EXPECT_EQ(d.reason, DropReason::kRateLimited);
  EXPECT_EQ(t.counters().dropped, 1u);
  EXPECT_EQ(t.held_count(), 0u);
}

TEST(Throttle, PassedCountStaysWithinBurstPlusRateTimesElapsed) {
  // One offer per millisecond for 10 s at 10/s with burst 5: exactly 5 at
  // once, then one per 100 ms (t = 100 ms ... 9900 ms).
  FakeClock clock;
  const auto start = clock.now();
  Throttle t(ThrottleSpec{.rate = 10, .burst = 5});
  std::vector<Clock::time_point> sent;
  for (int ms = 0; ms < 10000; ++ms) {
    auto now = start + milliseconds(ms);
    if (t.offer("k", msg("m"), now).action == Action::kSendNow) sent.push_back(now);
  }
  EXPECT_EQ(sent.size(), 5u + 99u);
  // In every window, no more than burst + rate * length.
  for (size_t i = 0; i < sent.size(); ++i)
    for (size_t j = i; j < sent.size(); ++j) {
      double length = std::chrono::duration<double>(sent[j] - sent[i]).count();
      ASSERT_LE(static_cast<double>(j - i + 1), 5 + 10 * length + 1e-9);
    }
  EXPECT_EQ(t.counters().passed, 104u);
  EXPECT_EQ(t.counters().dropped, 10000u - 104u);
}

TEST(Throttle, KeysAreThrottledIndependently) {
  FakeClock clock;
  Throttle t(ThrottleSpec{.rate = 1, .burst = 1});
  EXPECT_EQ(t.offer("a", msg("1"), clock.now()).action, Action::kSendNow);
  EXPECT_EQ(t.offer("b", msg("1"), clock.now()).action, Action::kSendNow);
  EXPECT_EQ(t.offer("a", msg("2"), clock.now()).action, Action::kDropped);
  EXPECT_EQ(t.key_count(), 2u);
}

TEST(Throttle, KeepLatestDeliversOnlyTheNewestWhenTheTokenFrees) {
  FakeClock clock;
  const auto t0 = clock.now();
  Throttle t(ThrottleSpec{.rate = 1, .burst = 1, .keep_latest = true});
  EXPECT_EQ(t.offer("dev", msg("p1"), t0).action, Action::kSendNow);
  auto p2 = msg("p2");
  auto d2 = t.offer("dev", p2, t0 + milliseconds(10));
  EXPECT_EQ(d2.action, Action::kHeld);
  EXPECT_FALSE(d2.dropped);
  auto d3 = t.offer("dev", msg("p3"), t0 + milliseconds(20));
  EXPECT_EQ(d3.action, Action::kHeld);
  EXPECT_EQ(d3.dropped, p2);
  EXPECT_EQ(d3.reason, DropReason::kCoalesced);
  t.offer("dev", msg("p4"), t0 + milliseconds(30));

  EXPECT_EQ(t.next_release_time(), t0 + seconds(1));
  EXPECT_TRUE(release(t, t0 + seconds(1) - nanoseconds(1)).empty());
  auto out = release(t, t0 + seconds(1));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, "p4");
  EXPECT_EQ(out[0].due, t0 + seconds(1));
  EXPECT_FALSE(t.next_release_time());
  EXPECT_EQ(t.counters().passed, 1u);
  EXPECT_EQ(t.counters().held, 1u);
  EXPECT_EQ(t.counters().coalesced, 2u);
  EXPECT_EQ(t.counters().released, 1u);
  EXPECT_EQ(t.counters().dropped, 0u);
}

TEST(Throttle, HeldMessagesAreReleasedAtExactDueTimesEvenWhenTheTimerIsLate) {
  FakeClock clock;
  const auto t0 = clock.now();
  Throttle t(ThrottleSpec{.rate = 2, .burst = 1, .buffer = 3});
  EXPECT_EQ(t.offer("k", msg("a"), t0).action, Action::kSendNow);
  for (auto p : {"b", "c", "d"}) EXPECT_EQ(t.offer("k", msg(p), t0).action, Action::kHeld);
  EXPECT_EQ(t.held_count(), 3u);
  EXPECT_EQ(t.next_release_time(), t0 + milliseconds(500));

  auto out = release(t, t0 + seconds(2));  // fires late
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].payload, "b");
  EXPECT_EQ(out[0].due, t0 + milliseconds(500));
  EXPECT_EQ(out[1].payload, "c");
  EXPECT_EQ(out[1].due, t0 + milliseconds(1000));
  EXPECT_EQ(out[2].payload, "d");
  EXPECT_EQ(out[2].due, t0 + milliseconds(1500));
  // The schedule did not slip: the token of t0 + 2 s is there.
  EXPECT_EQ(t.offer("k", msg("e"), t0 + seconds(2)).action, Action::kSendNow);
  EXPECT_EQ(t.offer("k", msg("f"), t0 + seconds(2)).action, Action::kHeld);
  EXPECT_EQ(t.next_release_time(), t0 + milliseconds(2500));
}

TEST(Throttle, ReleasesAcrossKeysInTimeOrder) {
  FakeClock clock;
  const auto t0 = clock.now();
  Throttle t(ThrottleSpec{.rate = 1, .burst = 1, .buffer = 2});
  t.offer("slow", msg("s0"), t0);
  t.offer("slow", msg("s1"), t0);
  t.offer("late", msg("l0"), t0 + milliseconds(300));
  t.offer("late", msg("l1"), t0 + milliseconds(300));
  auto out = release(t, t0 + seconds(5));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].key, "slow");
  EXPECT_EQ(out[0].due, t0 + seconds(1));
  EXPECT_EQ(out[1].key, "late");
  EXPECT_EQ(out[1].due, t0 + milliseconds(1300));
}

TEST(Throttle, NewMessageNeverOvertakesHeldOnes) {
  FakeClock clock;
  const auto t0 = clock.now();
  Throttle t(ThrottleSpec{.rate = 1, .burst = 1, .buffer = 5});
  t.offer("k", msg("1"), t0);
  t.offer("k", msg("2"), t0);
  // The token is back but "2" has not been released yet: "3" queues behind it.
  EXPECT_EQ(t.offer("k", msg("3"), t0 + seconds(1)).action, Action::kHeld);
  auto out = release(t, t0 + seconds(2));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].payload, "2");
  EXPECT_EQ(out[1].payload, "3");
}

TEST(Throttle, BufferOverflowDropNewest) {
  FakeClock clock;
  Throttle t(ThrottleSpec{.rate = 1, .burst = 1, .buffer = 2, .overflow = Overflow::kDropNewest});
  t.offer("k", msg("0"), clock.now());
  t.offer("k", msg("1"), clock.now());
  t.offer("k", msg("2"), clock.now());
  auto m3 = msg("3");
  auto d = t.offer("k", m3, clock.now());
  EXPECT_EQ(d.action, Action::kDropped);
  EXPECT_EQ(d.dropped, m3);
  EXPECT_EQ(d.reason, DropReason::kOverflow);
  auto out = release(t, clock.now() + seconds(10));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].payload, "1");
  EXPECT_EQ(out[1].payload, "2");
  EXPECT_EQ(t.counters().dropped, 1u);
}

TEST(Throttle, BufferOverflowDropOldest) {
  FakeClock clock;
  Throttle t(ThrottleSpec{.rate = 1, .burst = 1, .buffer = 2, .overflow = Overflow::kDropOldest});
  t.offer("k", msg("0"), clock.now());
  auto m1 = msg("1");
  t.offer("k", m1, clock.now());
  t.offer("k", msg("2"), clock.now());
  auto d = t.offer("k", msg("3"), clock.now());
  EXPECT_EQ(d.action, Action::kHeld);
  EXPECT_EQ(d.dropped, m1);
  EXPECT_EQ(d.reason, DropReason::kOverflow);
  auto out = release(t, clock.now() + seconds(10));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].payload, "2");
  EXPECT_EQ(out[1].payload, "3");
  EXPECT_EQ(t.counters().dropped, 1u);
  EXPECT_EQ(t.held_count(), 0u);
}

TEST(Throttle, BufferOverflowKeepLatestReplacesTheNewestHeld) {
  FakeClock clock;
  Throttle t(ThrottleSpec{.rate = 1, .burst = 1, .buffer = 2, .overflow = Overflow::kKeepLatest});
  t.offer("k", msg("0"), clock.now());
  t.offer("k", msg("1"), clock.now());
  auto m2 = msg("2");
  t.offer("k", m2, clock.now());
  auto d = t.offer("k", msg("3"), clock.now());
  EXPECT_EQ(d.action, Action::kHeld);
  EXPECT_EQ(d.dropped, m2);
  EXPECT_EQ(d.reason, DropReason::kCoalesced);
  t.offer("k", msg("4"), clock.now());
  auto out = release(t, clock.now() + seconds(10));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].payload, "1");
  EXPECT_EQ(out[1].payload, "4");
  EXPECT_EQ(t.counters().coalesced, 2u);
}

TEST(Throttle, KeepLatestWithBufferDefaultsToKeepLatestOverflow) {
  Throttle t(ThrottleSpec{.rate = 1, .buffer = 4, .keep_latest = true});
  EXPECT_EQ(t.hold_capacity(), 4u);
  EXPECT_EQ(t.overflow(), Overflow::kKeepLatest);
  Throttle plain(ThrottleSpec{.rate = 1, .buffer = 4});
  EXPECT_EQ(plain.overflow(), Overflow::kDropNewest);
  Throttle latest(ThrottleSpec{.rate = 1, .keep_latest = true});
  EXPECT_EQ(latest.hold_capacity(), 1u);
}

TEST(Throttle, DefaultBurstIsOneSecondOfRate) {
  FakeClock clock;
  Throttle t(ThrottleSpec{.rate = 3});
  int sent = 0;
  for (int i = 0; i < 10; ++i)
    sent += t.offer("k", msg("m"), clock.now()).action == Action::kSendNow;
  EXPECT_EQ(sent, 3);
}

TEST(Throttle, MinIntervalHoldsUntilTheIntervalEnds) {
  FakeClock clock;
  const auto t0 = clock.now();
  Throttle t(ThrottleSpec{.min_interval = milliseconds(100), .keep_latest = true});
  EXPECT_EQ(t.offer("k", msg("a"), t0).action, Action::kSendNow);
  EXPECT_EQ(t.offer("k", msg("b"), t0 + milliseconds(40)).action, Action::kHeld);
  EXPECT_EQ(t.next_release_time(), t0 + milliseconds(100));
  auto out = release(t, t0 + milliseconds(100));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, "b");
  EXPECT_EQ(t.offer("k", msg("c"), t0 + milliseconds(199)).action, Action::kHeld);
  EXPECT_EQ(t.next_release_time(), t0 + milliseconds(200));
}

TEST(Throttle, BucketAndMinIntervalCombineToTheLaterOfBoth) {
  FakeClock clock;
  const auto t0 = clock.now();
  // Burst of 5 allowed by the bucket, but never two within 50 ms.
  Throttle t(ThrottleSpec{.rate = 100, .burst = 5, .min_interval = milliseconds(50), .buffer = 10});
  EXPECT_EQ(t.offer("k", msg("0"), t0).action, Action::kSendNow);
  EXPECT_EQ(t.offer("k", msg("1"), t0).action, Action::kHeld);
  EXPECT_EQ(t.next_release_time(), t0 + milliseconds(50));
  // And with a slow bucket the bucket decides.
  Throttle slow(ThrottleSpec{.rate = 1, .burst = 1, .min_interval = milliseconds(50), .buffer = 1});
  slow.offer("k", msg("0"), t0);
  slow.offer("k", msg("1"), t0);
  EXPECT_EQ(slow.next_release_time(), t0 + seconds(1));
}

TEST(Throttle, IdleKeysAreForgottenOnceRecovered) {
  FakeClock clock;
  const auto t0 = clock.now();
  Throttle t(ThrottleSpec{.rate = 10, .burst = 2});
  for (int i = 0; i < 100; ++i) t.offer("key-" + std::to_string(i), msg("m"), t0);
  EXPECT_EQ(t.key_count(), 100u);
  // Each key spent one of two tokens; it is full again after 100 ms.
  EXPECT_EQ(t.evict_idle(t0 + milliseconds(99)), 0u);
  EXPECT_EQ(t.evict_idle(t0 + milliseconds(100)), 100u);
  EXPECT_EQ(t.key_count(), 0u);
  EXPECT_EQ(t.counters().keys_evicted, 100u);
}

TEST(Throttle, OffersEvictIdleKeysAsTheyGo) {
  FakeClock clock;
  Throttle t(ThrottleSpec{.rate = 1000, .burst = 1});
  for (int i = 0; i < 10000; ++i) {
    clock.advance(milliseconds(1));
    t.offer("key-" + std::to_string(i), msg("m"), clock.now());
  }
  EXPECT_LT(t.key_count(), 10u);
}

TEST(Throttle, KeysHoldingMessagesAreNotForgotten) {
  FakeClock clock;
  const auto t0 = clock.now();
  Throttle t(ThrottleSpec{.rate = 1, .burst = 1, .keep_latest = true});
  t.offer("k", msg("a"), t0);
  t.offer("k", msg("b"), t0);
  EXPECT_EQ(t.evict_idle(t0 + seconds(100)), 0u);
  EXPECT_EQ(t.key_count(), 1u);
}

TEST(Throttle, KeyLimitReplacesAnIdleKeyOrDropsTheNewMessage) {
  FakeClock clock;
  const auto t0 = clock.now();
  Throttle t(ThrottleSpec{.rate = 1, .burst = 1, .keep_latest = true, .max_keys = 2});
  t.offer("a", msg("a"), t0);
  t.offer("b", msg("b"), t0);
  // "a" holds nothing but has not recovered: it is forgotten early.
  EXPECT_EQ(t.offer("c", msg("c"), t0).action, Action::kSendNow);
  EXPECT_EQ(t.key_count(), 2u);
  EXPECT_EQ(t.counters().keys_evicted_early, 1u);
  // Now make both keys hold a message: a new key cannot get in.
  t.offer("b", msg("b2"), t0);
  t.offer("c", msg("c2"), t0);
  auto m = msg("d");
  auto d = t.offer("d", m, t0);
  EXPECT_EQ(d.action, Action::kDropped);
  EXPECT_EQ(d.reason, DropReason::kKeyLimit);
  EXPECT_EQ(d.dropped, m);
}

TEST(Throttle, TakeAllHandsBackEveryHeldMessage) {
  FakeClock clock;
  Throttle t(ThrottleSpec{.rate = 1, .burst = 1, .buffer = 3});
  for (auto key : {"a", "b"})
    for (int i = 0; i < 4; ++i)
      t.offer(key, msg(std::string(key) + std::to_string(i)), clock.now());
  std::vector<std::string> payloads;
  t.take_all([&](const Throttle::Released& r) { payloads.push_back(r.message->payload); });
  EXPECT_EQ(payloads, (std::vector<std::string>{"a1", "a2", "a3", "b1", "b2", "b3"}));
  EXPECT_EQ(t.held_count(), 0u);
  EXPECT_FALSE(t.next_release_time());
}

TEST(Throttle, OverflowNamesRoundTrip) {
  for (auto o : {Overflow::kDropNewest, Overflow::kDropOldest, Overflow::kKeepLatest})
    EXPECT_EQ(parse_overflow(overflow_name(o)), o);
  EXPECT_FALSE(parse_overflow("drop_random"));
}

}  // namespace
}  // namespace sluice::routing
