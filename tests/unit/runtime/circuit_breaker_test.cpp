// The circuit breaker's states on a fake clock: it opens after N failures in
// a row, fails fast while open, lets exactly one probe through after the
// cool-down, and the probe's outcome closes it or opens it again.
#include "runtime/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace sluice::runtime {
namespace {

using namespace std::chrono_literals;
using State = CircuitBreaker::State;

TEST(CircuitBreaker, OffByDefault_AlwaysAllows) {
  CircuitBreaker breaker(config::CircuitPolicy{});
  for (int i = 0; i < 100; ++i) breaker.on_failure();
  EXPECT_TRUE(breaker.allow());
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_EQ(breaker.open_reason(), "");
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresOnly) {
  routing::FakeClock clock;
  CircuitBreaker breaker({3, 1000}, &clock);
  breaker.on_failure();
  breaker.on_failure();
  breaker.on_success();  // the run of failures starts again
  breaker.on_failure();
  breaker.on_failure();
  EXPECT_TRUE(breaker.allow());
  breaker.on_failure();
  EXPECT_EQ(breaker.state(), State::kOpen);
  EXPECT_FALSE(breaker.allow());
  EXPECT_EQ(breaker.times_opened(), 1u);
  EXPECT_EQ(breaker.open_reason(),
            "circuit open after 3 failed publishes in a row; probing in 1000 ms");
}

TEST(CircuitBreaker, AfterTheCoolDownOneProbe_SuccessCloses) {
  routing::FakeClock clock;
  CircuitBreaker breaker({2, 500}, &clock);
  breaker.on_failure();
  breaker.on_failure();
  clock.advance(499ms);
  EXPECT_FALSE(breaker.allow());
  clock.advance(1ms);
  EXPECT_TRUE(breaker.allow());   // the probe
  EXPECT_FALSE(breaker.allow());  // only one at a time
  EXPECT_EQ(breaker.state(), State::kHalfOpen);
  breaker.on_success();
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_TRUE(breaker.allow());
  EXPECT_TRUE(breaker.allow());
}

TEST(CircuitBreaker, AFailedProbeOpensItForAnotherCoolDown) {
  routing::FakeClock clock;
  CircuitBreaker breaker({1, 500}, &clock);
  breaker.on_failure();
  clock.advance(500ms);
  ASSERT_TRUE(breaker.allow());
  breaker.on_failure();
  EXPECT_EQ(breaker.state(), State::kOpen);
  EXPECT_EQ(breaker.times_opened(), 2u);
  clock.advance(499ms);
  EXPECT_FALSE(breaker.allow());
  clock.advance(1ms);
  EXPECT_TRUE(breaker.allow());
}

TEST(CircuitBreaker, AProbeWithoutVerdictLetsTheNextOneGo) {
  routing::FakeClock clock;
  CircuitBreaker breaker({1, 100}, &clock);
  breaker.on_failure();
  clock.advance(100ms);
  ASSERT_TRUE(breaker.allow());
  EXPECT_FALSE(breaker.allow());
  breaker.on_no_verdict();  // that message was refused for itself
  EXPECT_TRUE(breaker.allow());
}

TEST(CircuitBreaker, FailuresOfPublishesSentBeforeItOpenedDoNotExtendIt) {
  routing::FakeClock clock;
  CircuitBreaker breaker({2, 1000}, &clock);
  breaker.on_failure();
  breaker.on_failure();
  clock.advance(600ms);
  breaker.on_failure();  // late completion of an earlier publish
  clock.advance(400ms);
  EXPECT_TRUE(breaker.allow());
}

}  // namespace
}  // namespace sluice::runtime
