// A route throttle with `shared: <redis connector>`: two sluice processes
// spend one budget per window kept in Redis, so together they deliver
// exactly the budget; with Redis unreachable each node throttles with its
// own bucket and says so.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::redis {
namespace {

// A node that generates `count` messages and sends them through a route
// whose throttle shares `rate` per `window_ms` through the connector `kv`.
std::string node_config(const std::string& node_id, const std::string& kv_url,
                        const std::string& to, int count, const std::string& shared,
                        const std::string& more_connectors = "") {
  return config_header(node_id) +
         "connectors:\n"
         "  gen:\n    plugin: generate\n    count: " +
         std::to_string(count) +
         "\n    payload: '{\"n\": ${counter}}'\n"
         "  kv:\n    plugin: redis\n    url: " +
         kv_url + "\n    sink: rpush\n" + more_connectors +
         "routes:\n  - name: limited\n    from: gen\n    to: \"" + to + "\"\n" +
         "    throttle: {rate: 2, shared: " + shared + "}\n";
}

TEST(RedisSharedThrottle, TwoNodesTogetherDeliverExactlyTheBudget) {
  // rate 2 per second over a 60 s window: a budget of 120 for both nodes
  // together, where each alone would pass 120.
  std::string out = unique_name("shared-out"), prefix = unique_name("shared") + ":";
  std::string shared = "{connector: kv, window_ms: 60000, key_prefix: \"" + prefix + "\"}";
  TempDir dir_a, dir_b;
  write_file(dir_a.file("sluice.yaml"),
             node_config("node-a", redis_url(), "kv:" + out, 300, shared));
  write_file(dir_b.file("sluice.yaml"),
             node_config("node-b", redis_url(), "kv:" + out, 300, shared));
  SluiceProcess a = SluiceProcess::run(dir_a.file("sluice.yaml"), {"--exit-when-done"});
  SluiceProcess b = SluiceProcess::run(dir_b.file("sluice.yaml"), {"--exit-when-done"});
  ASSERT_EQ(a.wait(std::chrono::seconds(60)), 0) << a.output();
  ASSERT_EQ(b.wait(std::chrono::seconds(60)), 0) << b.output();

  EXPECT_EQ(cli_int({"LLEN", out}), 120) << a.output() << b.output();
  // The window counter: the prefix, the route name and the (empty) throttle key.
  std::string counter = prefix + "limited:";
  EXPECT_EQ(cli({"GET", counter}), "120\n");
  int64_t ttl = cli_int({"PTTL", counter});
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 60000);
  EXPECT_EQ(a.output().find("shared throttle: no lease"), std::string::npos) << a.output();
  EXPECT_EQ(b.output().find("shared throttle: no lease"), std::string::npos) << b.output();
  cli({"DEL", out, counter});
}

TEST(RedisSharedThrottle, UnreachableRedis_EachNodeThrottlesWithItsOwnBucket) {
  // Nothing listens on the port: every lease request fails, and the local
  // bucket (2 per second, burst 2) decides instead of letting all through.
  TempDir dir;
  std::string out = dir.file("out.jsonl");
  write_file(
      dir.file("sluice.yaml"),
      node_config("node-alone", "redis://127.0.0.1:" + std::to_string(free_tcp_port()) + "/0",
                  "file", 200, "{connector: kv, timeout_ms: 50}",
                  "  file:\n    plugin: file\n    mode: sink\n    path: " + out + "\n"));
  SluiceProcess sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"});
  ASSERT_EQ(sluice.wait(std::chrono::seconds(60)), 0) << sluice.output();
  EXPECT_NE(sluice.output().find("shared throttle: no lease from 'kv'"), std::string::npos)
      << sluice.output();
  size_t delivered = count_occurrences(read_file(out), "\n");
  EXPECT_GE(delivered, 2u) << sluice.output();   // the bucket's burst
  EXPECT_LT(delivered, 20u) << sluice.output();  // not all 200
}

}  // namespace
}  // namespace sluice::test::redis
