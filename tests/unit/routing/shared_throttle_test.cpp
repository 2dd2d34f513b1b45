// A throttle with a SharedBudget: several throttles (nodes) spend one
// budget per window from a store, in leases; the store never grants past
// the limit; held messages wait for the window's reset; while the store
// does not answer, each throttle decides with its own bucket.
#include <gtest/gtest.h>

#include <map>

#include "message_builder.hpp"
#include "routing/shared_budget.hpp"
#include "routing/throttle.hpp"

namespace sluice::routing {
namespace {

using std::chrono::milliseconds;
using Action = ThrottleDecision::Action;

// The store's rule (the Redis plugin's `take` script) on a fake clock: a
// window starts at a key's first take and lasts `window`; grants stop at
// `limit`.
class FakeStore {
 public:
  FakeStore(const FakeClock& clock, uint32_t limit, milliseconds window)
      : clock_(clock), limit_(limit), window_(window) {}

  std::optional<SharedBudget::Grant> take(std::string_view key, uint32_t want) {
    ++asks;
    if (down) return std::nullopt;
    auto& w = windows_[std::string(key)];
    if (w.reset_at <= clock_.now()) w = {0, clock_.now() + window_};
    uint32_t grant = std::min(want, limit_ - w.used);
    w.used += grant;
    return SharedBudget::Grant{grant,
                               std::chrono::duration_cast<milliseconds>(w.reset_at - clock_.now())};
  }

  bool down = false;
  int asks = 0;

 private:
  struct Window {
    uint32_t used = 0;
    Clock::time_point reset_at{};
  };
  const FakeClock& clock_;
  uint32_t limit_;
  milliseconds window_;
  std::map<std::string, Window> windows_;
};

// One node's view of the store.
class FakeBudget : public SharedBudget {
 public:
  FakeBudget(FakeStore& store, uint32_t lease) : store_(store), lease_(lease) {}
  std::optional<Grant> take(std::string_view key, uint32_t want) override {
    return store_.take(key, want);
  }
  uint32_t lease_size() const override { return lease_; }

 private:
  FakeStore& store_;
  uint32_t lease_;
};

ThrottleSpec rate(double per_second, uint32_t buffer = 0) {
  ThrottleSpec spec;
  spec.rate = per_second;
  spec.buffer = buffer;
  return spec;
}

int passed(Throttle& t, const char* key, int offers, Clock::time_point now) {
  int n = 0;
  for (int i = 0; i < offers; ++i)
    if (t.offer(key, test::make_message("m"), now).action == Action::kSendNow) ++n;
  return n;
}

TEST(SharedThrottle, NodesTogetherNeverPassMoreThanTheBudget) {
  FakeClock clock;
  FakeStore store(clock, 10, milliseconds(1000));
  FakeBudget node_a(store, 3), node_b(store, 3);
  Throttle a(rate(10), &node_a), b(rate(10), &node_b);
  int total = 0;
  for (int round = 0; round < 20; ++round)
    total += passed(a, "user-1", 1, clock.now()) + passed(b, "user-1", 1, clock.now());
  EXPECT_EQ(total, 10);
  // Leases, not a request per message: 10 tokens in leases of 3, and one
  // refusal each once the window was spent.
  EXPECT_LE(store.asks, 7);
  // Another key has its own budget.
  EXPECT_EQ(passed(a, "user-2", 20, clock.now()), 10);
}

TEST(SharedThrottle, TheWindowsResetBringsANewBudget) {
  FakeClock clock;
  FakeStore store(clock, 5, milliseconds(1000));
  FakeBudget node(store, 5);
  Throttle t(rate(5), &node);
  EXPECT_EQ(passed(t, "k", 20, clock.now()), 5);
  clock.advance(milliseconds(999));
  EXPECT_EQ(passed(t, "k", 20, clock.now()), 0);
  clock.advance(milliseconds(1));
  EXPECT_EQ(passed(t, "k", 20, clock.now()), 5);
}

TEST(SharedThrottle, HeldMessagesGoWhenTheWindowResets) {
  FakeClock clock;
  FakeStore store(clock, 4, milliseconds(1000));
  FakeBudget node(store, 2);
  Throttle t(rate(4, /*buffer=*/10), &node);
  for (int i = 0; i < 7; ++i) t.offer("k", test::make_message(std::to_string(i)), clock.now());
  EXPECT_EQ(t.counters().passed, 4u);
  EXPECT_EQ(t.held_count(), 3u);
  ASSERT_TRUE(t.next_release_time());
  EXPECT_EQ(*t.next_release_time(), clock.now() + milliseconds(1000));

  std::vector<std::string> released;
  auto release = [&](Clock::time_point now) {
    t.release_due(now,
                  [&](const Throttle::Released& r) { released.push_back(r.message->payload); });
  };
  release(clock.now() + milliseconds(999));
  EXPECT_TRUE(released.empty());
  clock.advance(milliseconds(1000));
  release(clock.now());
  EXPECT_EQ(released, (std::vector<std::string>{"4", "5", "6"}));
  EXPECT_EQ(t.held_count(), 0u);
}

TEST(SharedThrottle, AHeldMessageWaitsAgainWhenOtherNodesSpentTheNewWindow) {
  FakeClock clock;
  FakeStore store(clock, 2, milliseconds(1000));
  FakeBudget node_a(store, 1), node_b(store, 2);
  Throttle a(rate(2, /*buffer=*/5), &node_a), b(rate(2), &node_b);
  EXPECT_EQ(passed(a, "k", 3, clock.now()), 2);  // the third is held
  EXPECT_EQ(a.held_count(), 1u);
  clock.advance(milliseconds(1000));
  EXPECT_EQ(passed(b, "k", 2, clock.now()), 2);  // b spends the new window first
  int released = 0;
  a.release_due(clock.now(), [&](const Throttle::Released&) { ++released; });
  EXPECT_EQ(released, 0);
  EXPECT_EQ(a.held_count(), 1u);
  EXPECT_EQ(*a.next_release_time(), clock.now() + milliseconds(1000));
  clock.advance(milliseconds(1000));
  a.release_due(clock.now(), [&](const Throttle::Released&) { ++released; });
  EXPECT_EQ(released, 1);
}

TEST(SharedThrottle, AnUnreachableStoreLeavesTheDecisionToTheLocalBucket) {
  FakeClock clock;
  FakeStore store(clock, 100, milliseconds(1000));
  store.down = true;
  FakeBudget node(store, 10);
  Throttle t(rate(3), &node);  // local bucket: 3 per second, burst 3
  EXPECT_EQ(passed(t, "k", 10, clock.now()), 3);
  store.down = false;
  EXPECT_EQ(passed(t, "k", 200, clock.now()), 100);  // shared again: the store's budget
}

}  // namespace
}  // namespace sluice::routing
