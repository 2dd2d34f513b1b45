// The wait between publish attempts: doubling, capped, never below half.
#include "runtime/retry_backoff.hpp"

#include <gtest/gtest.h>

namespace sluice::runtime {
namespace {

using std::chrono::milliseconds;

config::RetryPolicy policy(int initial_ms, int max_ms) {
  config::RetryPolicy p;
  p.initial_backoff_ms = initial_ms;
  p.max_backoff_ms = max_ms;
  return p;
}

TEST(RetryBackoff, RetryBackoff_DoublesPerAttemptWithinEqualJitter) {
  RetryBackoff backoff(42);
  auto p = policy(100, 10000);
  for (int i = 0; i < 200; ++i) {
    auto first = backoff.after(p, 1);
    EXPECT_GE(first, milliseconds(50));
    EXPECT_LE(first, milliseconds(100));
    auto third = backoff.after(p, 3);
    EXPECT_GE(third, milliseconds(200));
    EXPECT_LE(third, milliseconds(400));
  }
}

TEST(RetryBackoff, RetryBackoff_StaysWithinTheCap) {
  RetryBackoff backoff(7);
  auto p = policy(100, 1000);
  for (int attempt = 5; attempt < 40; ++attempt) {
    auto wait = backoff.after(p, attempt);
    EXPECT_GE(wait, milliseconds(500)) << attempt;
    EXPECT_LE(wait, milliseconds(1000)) << attempt;
  }
}

TEST(RetryBackoff, RetryBackoff_Jitters) {
  RetryBackoff backoff(1);
  auto p = policy(1000, 100000);
  auto first = backoff.after(p, 2);
  bool differs = false;
  for (int i = 0; i < 50 && !differs; ++i) differs = backoff.after(p, 2) != first;
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace sluice::runtime
