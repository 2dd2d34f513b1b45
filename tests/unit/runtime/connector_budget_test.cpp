// The answer of a shared throttle's `take` request, as a Redis connector
// gives it; anything else is not a lease (the throttle then decides locally).
#include "runtime/connector_budget.hpp"

#include <gtest/gtest.h>

namespace sluice::runtime {
namespace {

TEST(ConnectorBudget, ReadsTheGrantAndTheWindowsReset) {
  auto grant = parse_take_reply(R"({"value":[3,850]})", 5);
  ASSERT_TRUE(grant);
  EXPECT_EQ(grant->granted, 3u);
  EXPECT_EQ(grant->reset_in, std::chrono::milliseconds(850));
  EXPECT_EQ(parse_take_reply(R"({"value":[0,10]})", 5)->granted, 0u);
}

TEST(ConnectorBudget, AnythingElseIsNoLease) {
  for (const char* bad :
       {"", "OK", R"({"value":7})", R"({"value":[1]})", R"({"value":[1,null]})",
        R"({"value":[-1,5]})", R"({"value":[9,5]})", R"({"value":[1,-5]})", R"([1,5])"})
    EXPECT_FALSE(parse_take_reply(bad, 5)) << bad;
}

}  // namespace
}  // namespace sluice::runtime
