// The per-partition commit tracker: commits never pass an unfinished
// message, whatever order completions come in.
#include "partition_tracker.hpp"

#include <gtest/gtest.h>

#include "ack_id.hpp"

namespace sluice::kafka {
namespace {

using Arrival = PartitionTracker::Arrival;

TEST(PartitionTracker, HasNoCommitPointBeforeTheFirstMessage) {
  PartitionTracker t;
  EXPECT_FALSE(t.commit_point());
  EXPECT_EQ(t.on_message(42), Arrival::kNew);
  EXPECT_EQ(t.commit_point(), 42);
}

TEST(PartitionTracker, CommitsOnlyUpToTheFirstUnfinishedOffset) {
  PartitionTracker t;
  for (int64_t o = 10; o < 20; ++o) ASSERT_EQ(t.on_message(o), Arrival::kNew);
  // Everything but offset 13 finishes, out of order.
  for (int64_t o : {19, 15, 11, 10, 18, 12, 14, 16, 17}) t.complete(o);
  EXPECT_EQ(t.commit_point(), 13);
  EXPECT_EQ(t.in_flight(), 1u);
  EXPECT_EQ(t.complete(13), 20);  // the gap closes: commit up to the newest
  EXPECT_EQ(t.commit_point(), 20);
  EXPECT_EQ(t.in_flight(), 0u);
  EXPECT_EQ(t.tracked(), 0u);
}

TEST(PartitionTracker, ReportsANewCommitPointOnlyWhenItMoves) {
  PartitionTracker t;
  t.on_message(0);
  t.on_message(1);
  EXPECT_FALSE(t.complete(1));
  EXPECT_EQ(t.complete(0), 2);
  EXPECT_FALSE(t.complete(0));  // a duplicate answer changes nothing
}

TEST(PartitionTracker, SkipsOffsetsThatDoNotExist) {
  PartitionTracker t;
  t.on_message(5);
  t.on_message(9);  // 6..8 compacted away
  t.complete(5);
  EXPECT_EQ(t.commit_point(), 9);
  t.complete(9);
  EXPECT_EQ(t.commit_point(), 10);
  EXPECT_EQ(t.on_message(30), Arrival::kNew);  // a jump when nothing is pending
  EXPECT_EQ(t.commit_point(), 30);
}

TEST(PartitionTracker, ARefusedMessageBlocksTheCommitAndIsReadAgain) {
  PartitionTracker t;
  for (int64_t o = 0; o < 5; ++o) t.on_message(o);
  t.complete(0);
  EXPECT_TRUE(t.refuse(2));
  for (int64_t o : {1, 3, 4}) t.complete(o);
  EXPECT_EQ(t.commit_point(), 2);
  EXPECT_TRUE(t.seek_wanted());
  EXPECT_EQ(t.take_seek_target(), 2);
  EXPECT_FALSE(t.seek_wanted());
  // After the seek the consumer reads 2, 3, 4 again: only 2 goes out again.
  EXPECT_EQ(t.on_message(2), Arrival::kRedeliver);
  EXPECT_EQ(t.on_message(3), Arrival::kSkip);
  EXPECT_EQ(t.on_message(4), Arrival::kSkip);
  EXPECT_EQ(t.on_message(5), Arrival::kNew);
  EXPECT_EQ(t.commit_point(), 2);
  t.complete(2);
  EXPECT_EQ(t.commit_point(), 5);
}

TEST(PartitionTracker, SeeksToTheLowestRefusedOffset) {
  PartitionTracker t;
  for (int64_t o = 0; o < 10; ++o) t.on_message(o);
  t.refuse(7);
  t.refuse(3);
  t.refuse(5);
  EXPECT_EQ(t.take_seek_target(), 3);
  t.restore_seek_target(4);
  EXPECT_EQ(t.take_seek_target(), 4);
}

TEST(PartitionTracker, SkipsReplaysOfMessagesInFlightOrDone) {
  PartitionTracker t;
  for (int64_t o = 0; o < 4; ++o) t.on_message(o);
  t.complete(0);
  EXPECT_EQ(t.on_message(0), Arrival::kSkip);  // committed already
  EXPECT_EQ(t.on_message(1), Arrival::kSkip);  // still in flight
  EXPECT_EQ(t.in_flight(), 3u);
}

TEST(PartitionTracker, AnAbandonedMessageKeepsBlockingTheCommit) {
  PartitionTracker t;
  for (int64_t o = 0; o < 3; ++o) t.on_message(o);
  t.abandon(1);
  t.complete(0);
  t.complete(2);
  EXPECT_EQ(t.commit_point(), 1);
  EXPECT_EQ(t.in_flight(), 0u);
  EXPECT_FALSE(t.complete(1));  // an answer after abandoning is not taken
  EXPECT_EQ(t.commit_point(), 1);
}

TEST(PartitionTracker, IgnoresAnswersForUnknownOffsets) {
  PartitionTracker t;
  t.on_message(100);
  EXPECT_FALSE(t.complete(99));
  EXPECT_FALSE(t.refuse(101));
  EXPECT_EQ(t.in_flight(), 1u);
}

TEST(PartitionTracker, RestoresFullOffsetsFromTheirLowBits) {
  PartitionTracker t;
  const int64_t base = (int64_t{1} << kAckOffsetBits) - 2;  // straddles a wrap of the low bits
  for (int64_t o = base; o < base + 4; ++o) t.on_message(o);
  for (int64_t o = base; o < base + 4; ++o) {
    AckId id = AckId::decode(AckId::encode(7, o));
    EXPECT_EQ(id.slot, 7u);
    EXPECT_EQ(t.resolve_low_bits(id.offset_low, kAckOffsetBits), o);
  }
}

TEST(AckId, KeepsSlotAndOffsetApart) {
  uint64_t id = AckId::encode(kAckSlotMask, 123456789);
  EXPECT_EQ(AckId::decode(id).slot, kAckSlotMask);
  EXPECT_EQ(AckId::decode(id).offset_low, 123456789u);
}

}  // namespace
}  // namespace sluice::kafka
