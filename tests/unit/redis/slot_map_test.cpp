// Redis Cluster redirections as the servers word them, and the command
// argument that picks a command's node.
#include "slot_map.hpp"

#include <gtest/gtest.h>

#include "routing_key.hpp"

namespace sluice::redis {
namespace {

TEST(RedisSlotMap, MovedAndAskAreRead) {
  auto moved = parse_redirect("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(moved);
  EXPECT_FALSE(moved->ask);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->address, "127.0.0.1:6381");
  auto ask = parse_redirect("ASK 12182 [::1]:7002");
  ASSERT_TRUE(ask);
  EXPECT_TRUE(ask->ask);
  EXPECT_EQ(ask->slot, 12182);
  EXPECT_EQ(ask->address, "[::1]:7002");
  EXPECT_EQ(parse_redirect("MOVED 1 :7002")->address, ":7002");  // no host announced
}

TEST(RedisSlotMap, OtherErrorsAreNoRedirect) {
  EXPECT_FALSE(parse_redirect("ERR unknown command"));
  EXPECT_FALSE(parse_redirect("MOVED 16384 127.0.0.1:1"));  // no such slot
  EXPECT_FALSE(parse_redirect("MOVED x 127.0.0.1:1"));
  EXPECT_FALSE(parse_redirect("MOVED 12"));
  EXPECT_FALSE(parse_redirect("CLUSTERDOWN The cluster is down"));
}

TEST(RedisSlotMap, AMovedSlotHasItsNewOwner) {
  SlotMap map;
  EXPECT_TRUE(map.empty());
  EXPECT_EQ(map.owner(866), "");
  map.move(866, "127.0.0.1:7001");
  EXPECT_EQ(map.owner_of_key("hello"), "127.0.0.1:7001");
  EXPECT_EQ(map.owner(867), "");
}

TEST(RedisRoutingKey, KeyedCommandsByTheirKey_PublishAnywhere) {
  using Args = std::vector<std::string>;
  EXPECT_EQ(routing_key(Args{"XADD", "s", "*", "f", "v"}), "s");
  EXPECT_EQ(routing_key(Args{"SET", "k", "v"}), "k");
  EXPECT_EQ(routing_key(Args{"EVAL", "return 1", "1", "counter", "100"}), "counter");
  EXPECT_FALSE(routing_key(Args{"EVAL", "return 1", "0"}));
  EXPECT_FALSE(routing_key(Args{"PUBLISH", "ch", "x"}));
  EXPECT_FALSE(routing_key(Args{"PING"}));
}

}  // namespace
}  // namespace sluice::redis
