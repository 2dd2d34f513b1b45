#include "routing/source_policy.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace sluice::routing {
namespace {

using namespace std::chrono_literals;

// A selector over members named by index, on a fake clock, with health set
// by the test and every switch recorded.
struct Harness {
  explicit Harness(SourcePolicySpec spec, size_t members = 2)
      : healthy(members, true),
        selector(
            spec, members, clock, [this](size_t m) { return healthy[m]; },
            [this](const SourceSelector::Switch& s) { switches.push_back(s); }) {}

  void advance(Clock::duration d) { clock.advance(d); }
  // As the owner's health timer does.
  void set_healthy(size_t m, bool h) {
    healthy[m] = h;
    selector.refresh_health();
  }

  FakeClock clock;
  std::vector<bool> healthy;
  std::vector<SourceSelector::Switch> switches;
  SourceSelector selector;
};

SourcePolicySpec spec(SourcePolicy policy, std::chrono::milliseconds silence = 1000ms) {
  SourcePolicySpec s;
  s.policy = policy;
  s.silence = silence;
  return s;
}

TEST(SourcePriority, TakesThePrimaryAndDropsTheStandbyWhileThePrimaryDelivers) {
  Harness h(spec(SourcePolicy::kPriority));
  for (int i = 0; i < 5; ++i) {
    h.advance(100ms);
    h.selector.note_offer(0);
    EXPECT_TRUE(h.selector.admit(0));
    h.selector.note_offer(1);
    EXPECT_FALSE(h.selector.admit(1));
  }
  EXPECT_TRUE(h.switches.empty());
}

TEST(SourcePriority, GivesTheQuietPrimaryItsSilenceBeforeTakingTheStandby) {
  Harness h(spec(SourcePolicy::kPriority));
  h.selector.note_offer(0);
  h.advance(1000ms);  // exactly `silence`: still live
  h.selector.note_offer(1);
  EXPECT_FALSE(h.selector.admit(1));
  h.advance(1ms);
  h.selector.note_offer(1);
  EXPECT_TRUE(h.selector.admit(1));
  ASSERT_EQ(h.switches.size(), 1u);
  EXPECT_EQ(h.switches[0].from, 0u);
  EXPECT_EQ(h.switches[0].to, 1u);
  EXPECT_EQ(h.switches[0].reason, SwitchReason::kSilent);
  EXPECT_EQ(h.switches[0].quiet, 1001ms);
}

TEST(SourcePriority, SwitchesAtOnceWhenThePrimaryIsUnhealthyAndBackWhenItDeliversAgain) {
  Harness h(spec(SourcePolicy::kPriority));
  h.set_healthy(0, false);
  h.selector.note_offer(1);
  EXPECT_TRUE(h.selector.admit(1));
  ASSERT_EQ(h.switches.size(), 1u);
  EXPECT_EQ(h.switches[0].reason, SwitchReason::kUnhealthy);

  // Healthy again, and well past its silence: live from its next message.
  h.set_healthy(0, true);
  h.advance(5s);
  h.selector.note_offer(1);
  EXPECT_TRUE(h.selector.admit(1));
  h.selector.note_offer(0);
  EXPECT_TRUE(h.selector.admit(0));
  h.selector.note_offer(1);
  EXPECT_FALSE(h.selector.admit(1));
  ASSERT_EQ(h.switches.size(), 2u);
  EXPECT_EQ(h.switches[1].from, 1u);
  EXPECT_EQ(h.switches[1].to, 0u);
  EXPECT_EQ(h.switches[1].reason, SwitchReason::kPreferred);
  EXPECT_EQ(h.selector.switches(), 2u);
}

TEST(SourcePriority, ALookFromOutsideNoticesAQuietPrimary) {
  Harness h(spec(SourcePolicy::kPriority));
  h.selector.note_offer(1);
  EXPECT_EQ(h.selector.active(), 0u);
  h.advance(1500ms);
  h.selector.note_offer(1);
  EXPECT_EQ(h.selector.active(), 1u);
}

TEST(SourcePriority, TakesWhoeverOffersWhenNoMemberIsLive) {
  Harness h(spec(SourcePolicy::kPriority), 3);
  h.set_healthy(0, false);
  h.set_healthy(1, false);
  h.set_healthy(2, false);
  // All unhealthy: the message in hand is taken rather than none.
  h.selector.note_offer(2);
  EXPECT_TRUE(h.selector.admit(2));
}

TEST(SourceFallback, StaysOnTheBackupWhenThePrimaryRecovers) {
  Harness h(spec(SourcePolicy::kFallback));
  h.set_healthy(0, false);
  h.selector.note_offer(1);
  EXPECT_TRUE(h.selector.admit(1));
  h.set_healthy(0, true);
  h.selector.note_offer(0);
  EXPECT_FALSE(h.selector.admit(0)) << "fallback does not switch back on its own";
  h.selector.note_offer(1);
  EXPECT_TRUE(h.selector.admit(1));
  // Until the backup fails in turn.
  h.set_healthy(1, false);
  h.selector.note_offer(0);
  EXPECT_TRUE(h.selector.admit(0));
  ASSERT_EQ(h.switches.size(), 2u);
  EXPECT_EQ(h.switches[1].reason, SwitchReason::kUnhealthy);
}

TEST(SourceRoundRobin, PassesTheTurnAfterEachBatchToAMemberThatOffers) {
  auto s = spec(SourcePolicy::kRoundRobin, 50ms);
  s.batch = 3;
  Harness h(s, 3);
  h.advance(100ms);  // past everyone's start-up grace
  std::string order;
  for (int i = 0; i < 100 && order.size() < 12; ++i) {
    h.advance(1ms);
    // Members 0 and 1 always have something; member 2 never offers.
    for (size_t m : {0u, 1u}) h.selector.note_offer(m);
    for (size_t m : {0u, 1u})
      if (h.selector.admit(m)) order += static_cast<char>('a' + m);
  }
  // Member 2 is quiet past `silence`: its turn is skipped.
  EXPECT_EQ(order.substr(0, 12), "aaabbbaaabbb");
  for (const auto& sw : h.switches) EXPECT_NE(sw.to, 2u);
}

TEST(SourceRoundRobin, KeepsTheTurnWhenNobodyElseOffers) {
  auto s = spec(SourcePolicy::kRoundRobin, 50ms);
  s.batch = 2;
  Harness h(s);
  h.advance(100ms);  // member 1 quiet since the start
  for (int i = 0; i < 10; ++i) {
    h.selector.note_offer(0);
    EXPECT_TRUE(h.selector.admit(0)) << i;
  }
  EXPECT_TRUE(h.switches.empty());
}

TEST(SourcePause, AStandbyWaitsForItsTurnAndGetsItWhenThePrimaryFallsQuiet) {
  // A real clock: wait_for_turn waits in real time.
  SteadyClock clock;
  std::atomic<bool> primary_healthy{true};
  std::vector<SourceSelector::Switch> switches;
  auto s = spec(SourcePolicy::kPriority, 30ms);
  s.standby = StandbyAction::kPause;
  SourceSelector selector(
      s, 2, clock, [&](size_t m) { return m == 1 || primary_healthy.load(); },
      [&](const SourceSelector::Switch& sw) { switches.push_back(sw); });
  EXPECT_TRUE(selector.wait_for_turn(0, 0ms));
  EXPECT_FALSE(selector.wait_for_turn(1, 5ms)) << "the primary just delivered";
  // The primary says nothing more: the standby's wait ends with its turn,
  // after about `silence`, well before its own deadline.
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(selector.wait_for_turn(1, 5s));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_LT(waited, 2s);
  ASSERT_EQ(switches.size(), 1u);
  EXPECT_EQ(switches[0].reason, SwitchReason::kSilent);
  // The primary comes back: it is taken at once, and the standby waits.
  EXPECT_TRUE(selector.wait_for_turn(0, 0ms));
  EXPECT_FALSE(selector.wait_for_turn(1, 1ms));
}

TEST(SourcePause, AWaitingStandbyWakesWhenThePrimaryBecomesUnhealthy) {
  SteadyClock clock;
  std::atomic<bool> primary_healthy{true};
  auto s = spec(SourcePolicy::kPriority, 60s);
  s.standby = StandbyAction::kPause;
  SourceSelector selector(
      s, 2, clock, [&](size_t m) { return m == 1 || primary_healthy.load(); }, nullptr);
  EXPECT_TRUE(selector.wait_for_turn(0, 0ms));
  std::thread unhealthy([&] {
    std::this_thread::sleep_for(20ms);
    primary_healthy = false;
    selector.refresh_health();  // the health timer's call
  });
  // A minute of silence is allowed; health alone ends the wait.
  EXPECT_TRUE(selector.wait_for_turn(1, 10s));
  unhealthy.join();
}

TEST(SourcePolicyNames, RoundTrip) {
  for (auto p : {SourcePolicy::kMerge, SourcePolicy::kPriority, SourcePolicy::kFallback,
                 SourcePolicy::kRoundRobin})
    EXPECT_EQ(parse_source_policy(source_policy_name(p)), p);
  EXPECT_FALSE(parse_source_policy("fanout"));
}

}  // namespace
}  // namespace sluice::routing
