// Redis Cluster key hashing: CRC16 and the hash-tag rules of the cluster
// specification, against slots a Redis 7 server's CLUSTER KEYSLOT gave.
#include "key_slot.hpp"

#include <gtest/gtest.h>

namespace sluice::redis {
namespace {

TEST(RedisKeySlot, Crc16MatchesTheSpecificationsCheckValue) {
  EXPECT_EQ(crc16("123456789"), 0x31C3);  // the XMODEM check value the spec quotes
  EXPECT_EQ(crc16(""), 0);
}

TEST(RedisKeySlot, PlainKeysHashWhole) {
  EXPECT_EQ(key_slot("123456789"), 12739);
  EXPECT_EQ(key_slot("foo"), 12182);
  EXPECT_EQ(key_slot("bar"), 5061);
  EXPECT_EQ(key_slot("hello"), 866);
  EXPECT_EQ(key_slot(""), 0);
}

TEST(RedisKeySlot, HashTagsFollowTheSpecificationsRules) {
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("user1000"));
  EXPECT_EQ(key_slot("{user1000}.following"), 3443);
  EXPECT_EQ(key_slot("foo{bar}{zap}"), key_slot("bar"));  // the first tag only
  EXPECT_EQ(key_slot("foo{}{bar}"), 8363);                // empty tag: the whole key
  EXPECT_EQ(key_slot("{}foo"), 9500);
  EXPECT_EQ(key_slot("foo{{bar}}zap"), 4015);  // the tag is "{bar"
  EXPECT_EQ(key_slot("a{b"), 13340);           // no closing brace: the whole key
}

}  // namespace
}  // namespace sluice::redis
