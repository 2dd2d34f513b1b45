// `sluice check` on Redis connectors: settings mistakes are reported with
// the config file's location and what to fix; nothing connects.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::redis {
namespace {

int check_connector(const std::string& settings, std::string* output) {
  TempDir dir;
  std::string path = dir.file("sluice.yaml");
  write_file(path,
             config_header("node-check") + "connectors:\n  kv:\n    plugin: redis\n" + settings);
  return run_sluice({"check", "-c", path}, output);
}

TEST(RedisCheck, ValidSettings_PassWithoutAServer) {
  std::string output;
  EXPECT_EQ(check_connector("    url: \"redis://agent:pw@10.255.255.1:6390/2\"\n"
                            "    channels: [freeswitch.events]\n    patterns: [\"fs.*\"]\n"
                            "    streams: [jobs]\n    group: agents\n    max_deliveries: 5\n"
                            "    lists: [queue]\n    sink: xadd\n    stream_maxlen: 100000\n",
                            &output),
            0)
      << output;
}

TEST(RedisCheck, UnknownSetting_NamedWithSuggestionAndLocation) {
  std::string output;
  EXPECT_NE(check_connector("    chanels: [a]\n", &output), 0);
  EXPECT_NE(output.find("unknown setting 'chanels'; did you mean 'channels'?"), std::string::npos)
      << output;
  EXPECT_NE(output.find("sluice.yaml:"), std::string::npos) << output;
  EXPECT_NE(output.find("connector 'kv' (redis)"), std::string::npos) << output;
}

TEST(RedisCheck, BadUrl_SaysWhatIsWrongWithoutThePassword) {
  std::string output;
  EXPECT_NE(check_connector("    url: \"redis://u:secret@h:port/0\"\n", &output), 0);
  EXPECT_NE(output.find("port 'port' is not a number"), std::string::npos) << output;
  EXPECT_EQ(output.find("secret"), std::string::npos) << output;
  EXPECT_NE(check_connector("    url: \"rediss://h:6380\"\n", &output), 0);
  EXPECT_NE(output.find("needs hiredis >= 1.0"), std::string::npos) << output;
}

TEST(RedisCheck, BadChoicesAndRanges_Named) {
  std::string output;
  EXPECT_NE(check_connector("    sink: append\n", &output), 0);
  EXPECT_NE(output.find("'sink'"), std::string::npos) << output;
  EXPECT_NE(check_connector("    read_count: 0\n", &output), 0);
  EXPECT_NE(output.find("'read_count'"), std::string::npos) << output;
  EXPECT_NE(check_connector("    stream_maxlen: 10\n    stream_max_age_ms: 10\n", &output), 0);
  EXPECT_NE(output.find("not both"), std::string::npos) << output;
}

TEST(RedisCheck, ClusterNonsense_RefusedWithTheSettingAndLocation) {
  std::string output;
  EXPECT_EQ(check_connector("    url: \"redis://10.255.255.1:7000\"\n    cluster: true\n"
                            "    cluster_seeds: [\"10.255.255.2:7000\"]\n    streams: [s]\n",
                            &output),
            0)
      << output;
  EXPECT_NE(check_connector("    url: \"redis://10.255.255.1:7000/3\"\n    cluster: true\n"
                            "    sentinels: [\"10.255.255.1:26379\"]\n    master_name: m\n",
                            &output),
            0);
  EXPECT_NE(output.find("sluice.yaml:"), std::string::npos) << output;
  EXPECT_NE(output.find("connector 'kv' (redis)"), std::string::npos) << output;
  EXPECT_NE(output.find("setting 'cluster': a cluster is found through its nodes"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("Redis Cluster has only database 0"), std::string::npos) << output;
}

}  // namespace
}  // namespace sluice::test::redis
