#include "routing/output_group.hpp"

#include <gtest/gtest.h>

namespace sluice::routing {
namespace {

// A group with the selector state of one worker.
struct Group {
  OutputGroup group;
  OutputSelector selector;
  size_t active() const { return selector.active(); }
  uint64_t switches() const { return selector.switches(); }
};

Group group(OutputPolicy policy, std::vector<std::string> names) {
  std::vector<OutputTarget> targets;
  for (auto& n : names) targets.push_back(OutputTarget{n, Template(), false, n});
  return Group{OutputGroup(policy, std::move(targets)), {}};
}

std::vector<size_t> pick(Group& g, std::vector<bool> health) {
  std::vector<size_t> out;
  g.selector.select(
      g.group, [&](size_t i) { return static_cast<bool>(health[i]); }, out);
  return out;
}

using Picked = std::vector<size_t>;

TEST(OutputGroup, FanoutSendsToAllEvenUnhealthy) {
  auto g = group(OutputPolicy::kFanout, {"a", "b", "c"});
  EXPECT_EQ(pick(g, {true, false, true}), (Picked{0, 1, 2}));
}

TEST(OutputGroup, FallbackUsesTheFirstHealthyAndSwitchesBack) {
  auto g = group(OutputPolicy::kFallback, {"primary", "secondary", "tertiary"});
  EXPECT_EQ(pick(g, {true, true, true}), Picked{0});
  EXPECT_EQ(pick(g, {false, true, true}), Picked{1});
  EXPECT_EQ(g.active(), 1u);
  EXPECT_EQ(pick(g, {false, false, true}), Picked{2});
  EXPECT_EQ(pick(g, {true, false, true}), Picked{0});  // primary recovered
  EXPECT_EQ(g.active(), 0u);
  EXPECT_EQ(g.switches(), 3u);
}

TEST(OutputGroup, FallbackWithNothingHealthyWaitsOnThePrimary) {
  auto g = group(OutputPolicy::kFallback, {"a", "b"});
  EXPECT_EQ(pick(g, {false, false}), Picked{0});
}

TEST(OutputGroup, RoundRobinRotatesAndSkipsUnhealthy) {
  auto g = group(OutputPolicy::kRoundRobin, {"a", "b", "c"});
  EXPECT_EQ(pick(g, {true, true, true}), Picked{0});
  EXPECT_EQ(pick(g, {true, true, true}), Picked{1});
  EXPECT_EQ(pick(g, {true, true, true}), Picked{2});
  EXPECT_EQ(pick(g, {true, true, true}), Picked{0});
  EXPECT_EQ(pick(g, {true, false, true}), Picked{2});  // b skipped
  EXPECT_EQ(pick(g, {true, false, true}), Picked{0});
  EXPECT_EQ(pick(g, {false, false, false}), Picked{1});  // none healthy: next in turn
  EXPECT_EQ(pick(g, {false, false, false}), Picked{2});
}

TEST(OutputGroup, RoundRobinSpreadsEvenly) {
  auto g = group(OutputPolicy::kRoundRobin, {"a", "b", "c", "d"});
  std::vector<int> counts(4);
  for (int i = 0; i < 400; ++i) ++counts[pick(g, {true, true, true, true})[0]];
  EXPECT_EQ(counts, (std::vector<int>{100, 100, 100, 100}));
}

TEST(OutputGroup, EmptyGroupSelectsNothing) {
  Group g;
  EXPECT_TRUE(pick(g, {}).empty());
}

TEST(OutputGroup, PolicyNamesRoundTrip) {
  for (auto p : {OutputPolicy::kFanout, OutputPolicy::kFallback, OutputPolicy::kRoundRobin})
    EXPECT_EQ(parse_output_policy(output_policy_name(p)), p);
  EXPECT_FALSE(parse_output_policy("random"));
}

}  // namespace
}  // namespace sluice::routing
