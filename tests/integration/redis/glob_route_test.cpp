// Routes on a Redis source read their patterns as Redis globs (the plugin
// declares the ABI's glob syntax): `*` spans dots, `?` is one character,
// `[..]` a set; another broker's wildcard standing alone is refused by
// `sluice check`.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::redis {
namespace {

std::string redis_connector(const std::string& name, const std::string& settings) {
  return "  " + name + ":\n    plugin: redis\n    url: " + redis_url() + "\n" + settings;
}

TEST(RedisGlobRoute, RoutesPickChannelsByGlob) {
  TempDir dir;
  std::string prefix = unique_name("glob");
  std::string sport = unique_name("glob-sport"), short_names = unique_name("glob-short");
  SluiceProcess sluice = start_with_config(
      dir, config_header("node-glob") + "connectors:\n" +
               redis_connector("r", "    patterns: [\"" + prefix + ".*\"]\n    sink: rpush\n") +
               "routes:\n"
               "  - from: \"r:" +
               prefix + ".*.sport\"\n    to: \"r:" + sport + "\"\n" + "  - from: \"r:" + prefix +
               ".[ab]?\"\n    to: \"r:" + short_names + "\"\n");
  expect_ready(sluice);
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"PUBSUB", "NUMPAT"}) >= 1;
      },
      std::chrono::seconds(10)));

  // Each channel is published until the route that wants it has it, so a
  // message sent before the subscription was live is not waited for.
  std::vector<std::pair<std::string, std::string>> wanted = {
      {prefix + ".eu.x.sport", sport},  // `*` spans dots
      {prefix + ".a1", short_names},
      {prefix + ".b2", short_names},
  };
  for (const auto& [channel, list] : wanted)
    ASSERT_TRUE(wait_until(
        [&] {
          cli({"PUBLISH", channel, channel});
          return cli({"LRANGE", list, "0", "-1"}).find(channel) != std::string::npos;
        },
        std::chrono::seconds(10)))
        << channel << "\n"
        << sluice.output();
  // Channels no route matches, then one more that does: once it has
  // arrived, the ones before it (same connection, same order) were routed.
  for (const char* unwanted : {".c1", ".a12", ".eu.news", ".sport"})
    cli({"PUBLISH", prefix + unwanted, "unwanted"});
  cli({"PUBLISH", prefix + ".b9", "last"});
  ASSERT_TRUE(wait_until(
      [&] {
        return cli({"LRANGE", short_names, "-1", "-1"}) == "last\n";
      },
      std::chrono::seconds(10)))
      << sluice.output();
  EXPECT_EQ(cli({"LRANGE", sport, "0", "-1"}).find("unwanted"), std::string::npos);
  EXPECT_EQ(cli({"LRANGE", short_names, "0", "-1"}).find("unwanted"), std::string::npos);
  sluice.stop();
  cli({"DEL", sport, short_names});
}

TEST(RedisGlobRoute, CheckRefusesAnotherBrokersWildcard) {
  TempDir dir;
  std::string path = dir.file("sluice.yaml");
  write_file(path, config_header("node-glob-check") + "connectors:\n" +
                       redis_connector("r", "    channels: [news]\n") +
                       "  out:\n    plugin: \"null\"\n"
                       "routes:\n  - from: \"r:news.>\"\n    to: out\n");
  std::string output;
  EXPECT_NE(run_sluice({"check", "-c", path}, &output), 0);
  EXPECT_NE(output.find("'>' is not a wildcard here (glob wildcards"), std::string::npos) << output;
}

}  // namespace
}  // namespace sluice::test::redis
