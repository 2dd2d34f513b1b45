// The NATS plugin's Outbox (messages held while disconnected), tested
// directly with explicit time points: FIFO order, the byte bound, expiry
// taking a message out for good, and push_front after a failed send.
#include "outbox.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::nats {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

TEST(NatsOutbox, PopsInArrivalOrder_AndCountsBytes) {
  Outbox<std::string> box(100);
  auto t0 = Clock::now();
  for (std::string s : {"a", "b", "c"}) ASSERT_TRUE(box.push(s, 10, t0 + milliseconds(300)));
  EXPECT_EQ(box.size(), 3u);
  EXPECT_EQ(box.bytes(), 30u);
  EXPECT_EQ(box.pop()->item, "a");
  EXPECT_EQ(box.pop()->item, "b");
  EXPECT_EQ(box.bytes(), 10u);
  EXPECT_EQ(box.pop()->item, "c");
  EXPECT_FALSE(box.pop());
  EXPECT_TRUE(box.empty());
  EXPECT_EQ(box.bytes(), 0u);
}

TEST(NatsOutbox, RefusesWhatExceedsMaxBytes_LeavingTheItemWithTheCaller) {
  Outbox<std::string> box(25);
  auto deadline = Clock::now() + milliseconds(300);
  std::string a = "a", b = "b", c = "c";
  ASSERT_TRUE(box.push(a, 10, deadline));
  ASSERT_TRUE(box.push(b, 10, deadline));
  EXPECT_FALSE(box.push(c, 10, deadline));
  EXPECT_EQ(c, "c");  // not moved from: the caller fails it
  EXPECT_EQ(box.size(), 2u);
  box.pop();
  EXPECT_TRUE(box.push(c, 10, deadline));
}

TEST(NatsOutbox, ExpiredItemsAreTakenOutForGood_OthersStay) {
  Outbox<std::string> box(1000);
  auto t0 = Clock::now();
  std::string early = "early", late = "late", early2 = "early2";
  box.push(early, 1, t0 + milliseconds(300));
  box.push(late, 1, t0 + milliseconds(900));  // e.g. a request with a longer timeout
  box.push(early2, 1, t0 + milliseconds(300));
  EXPECT_TRUE(box.take_expired(t0 + milliseconds(299)).empty());
  EXPECT_EQ(*box.next_deadline(), t0 + milliseconds(300));

  auto expired = box.take_expired(t0 + milliseconds(300));
  ASSERT_EQ(expired.size(), 2u);
  EXPECT_EQ(expired[0], "early");
  EXPECT_EQ(expired[1], "early2");
  EXPECT_EQ(box.size(), 1u);
  EXPECT_EQ(box.bytes(), 1u);
  // What expired can never be popped (and so never sent) afterwards.
  EXPECT_EQ(box.pop()->item, "late");
  EXPECT_FALSE(box.pop());
  EXPECT_FALSE(box.next_deadline());
}

TEST(NatsOutbox, PushFront_PutsAFailedSendBackBeforeTheRest) {
  Outbox<std::string> box(20);
  auto deadline = Clock::now() + milliseconds(300);
  std::string a = "a", b = "b";
  box.push(a, 10, deadline);
  box.push(b, 10, deadline);
  auto first = box.pop();
  ASSERT_TRUE(first);
  std::string c = "c";
  ASSERT_TRUE(box.push(c, 10, deadline));                      // the room freed by the pop is taken
  box.push_front(first->item, first->bytes, first->deadline);  // still taken back
  EXPECT_EQ(box.bytes(), 30u);
  EXPECT_EQ(box.pop()->item, "a");
  EXPECT_EQ(box.pop()->item, "b");
  EXPECT_EQ(box.pop()->item, "c");
}

TEST(NatsOutbox, TakeAll_EmptiesInOrder) {
  Outbox<std::string> box(100);
  auto deadline = Clock::now() + milliseconds(300);
  for (std::string s : {"x", "y"}) box.push(s, 5, deadline);
  auto all = box.take_all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], "x");
  EXPECT_EQ(all[1], "y");
  EXPECT_TRUE(box.empty());
  EXPECT_EQ(box.bytes(), 0u);
  EXPECT_FALSE(box.next_deadline());
}

}  // namespace
}  // namespace sluice::nats
