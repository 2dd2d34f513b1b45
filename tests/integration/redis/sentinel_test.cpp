// Sentinel: sluice finds the master through a sentinel, and when the master
// is killed and the sentinel promotes the replica, sluice follows the
// failover and stream traffic resumes on the new master.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::redis {
namespace {

TEST(RedisSentinel, MasterKilled_FollowsThePromotedReplicaAndTrafficResumes) {
  auto master = std::make_unique<PrivateRedis>();
  PrivateRedis replica({"--replicaof", "127.0.0.1", std::to_string(master->port())});
  ASSERT_TRUE(wait_until(
      [&] {
        return cli({"INFO", "replication"}, master->port()).find("connected_slaves:1") !=
               std::string::npos;
      },
      std::chrono::seconds(20)));
  PrivateSentinel sentinel("sluicemaster", master->port());
  ASSERT_TRUE(wait_until(
      [&] {
        return cli({"SENTINEL", "replicas", "sluicemaster"}, sentinel.port())
                   .find(std::to_string(replica.port())) != std::string::npos;
      },
      std::chrono::seconds(30)));

  TempDir dir;
  auto sluice = start_with_config(
      dir, config_header("node-sen") +
               "connectors:\n  r:\n    plugin: redis\n    sentinels: [\"127.0.0.1:" +
               std::to_string(sentinel.port()) +
               "\"]\n    master_name: sluicemaster\n    streams: [in]\n"
               "    group_start_id: \"0\"\n    reconnect_wait_ms: 100\n"
               "    reconnect_wait_max_ms: 1000\n    sink: rpush\n"
               "routes:\n  - from: r\n    to: \"r:out\"\n");
  expect_ready(sluice);
  std::string before;
  for (int i = 0; i < 100; ++i) before += "XADD in * payload a" + std::to_string(i) + "\n";
  cli_pipe(before, master->port());
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", "out"}, master->port()) == 100;
      },
      std::chrono::seconds(20)))
      << sluice.output();
  cli({"WAIT", "1", "5000"}, master->port());  // the replica has it all
  master->kill9();

  expect_logged(sluice, "following a failover", 1, std::chrono::seconds(60));
  expect_ready(sluice, 2, std::chrono::seconds(30));
  std::string after;
  for (int i = 0; i < 100; ++i) after += "XADD in * payload b" + std::to_string(i) + "\n";
  cli_pipe(after, replica.port());
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", "out"}, replica.port()) >= 200;
      },
      std::chrono::seconds(30)))
      << sluice.output();
  EXPECT_EQ(pending_count("in", "sluice", replica.port()), 0);
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

}  // namespace
}  // namespace sluice::test::redis
