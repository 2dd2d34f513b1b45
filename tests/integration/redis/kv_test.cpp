// sluice.kv from Lua handlers on a Redis connector: get, set with TTL,
// incr in a window with expiry and del, each waiting as a coroutine; the
// results checked with redis-cli.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::redis {
namespace {

TEST(RedisKv, GetSetIncrDelFromAHandler) {
  std::string cache = unique_name("kv-cache"), counter = unique_name("kv-cnt"),
              gone = unique_name("kv-gone"), out = unique_name("kv-out"),
              hit = unique_name("kv-hit");
  cli({"SET", gone, "x"});
  cli({"SET", hit, "from-redis-cli"});
  std::string script = R"lua(
local kv = sluice.kv('r')
sluice.on('gen', function(msg)
  local cached = kv.get('CACHE')
  if not cached then assert(kv.set('CACHE', 'answer', 60000)) end
  local n = kv.incr('COUNTER', 60000)
  kv.del('GONE')
  local missing = kv.get('GONE')
  local found = kv.get('HIT')
  sluice.publish('r:OUT', found .. '/' .. type(n) .. '/' .. tostring(missing))
end)
)lua";
  for (auto [name, value] : {std::pair<std::string, std::string>{"CACHE", cache},
                             {"COUNTER", counter},
                             {"GONE", gone},
                             {"HIT", hit},
                             {"OUT", out}})
    for (size_t p; (p = script.find(name)) != std::string::npos;)
      script.replace(p, name.size(), value);
  TempDir dir;
  write_file(dir.file("routes.lua"), script);
  auto sluice = start_with_config(dir, config_header("node-kv") +
                                           "script: routes.lua\nconnectors:\n  r:\n"
                                           "    plugin: redis\n    url: " +
                                           redis_url() +
                                           "\n    sink: rpush\n  gen:\n    plugin: generate\n"
                                           "    count: 5\n");
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", out}) == 5;
      },
      std::chrono::seconds(20)))
      << sluice.output();
  EXPECT_EQ(cli({"GET", cache}), "answer\n");
  int64_t ttl = cli_int({"PTTL", cache});
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 60000);
  EXPECT_EQ(cli({"GET", counter}), "5\n");
  EXPECT_GT(cli_int({"PTTL", counter}), 0);  // the window expires
  EXPECT_EQ(cli_int({"EXISTS", gone}), 0);
  // Every handler read the key redis-cli set, got a number from incr and
  // nil for the deleted key.
  std::string all = cli({"LRANGE", out, "0", "-1"});
  EXPECT_EQ(count_occurrences(all, "from-redis-cli/number/nil"), 5u) << all;
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
  cli({"DEL", cache, counter, out, hit});
}

}  // namespace
}  // namespace sluice::test::redis
