// The Redis settings: what `sluice check` accepts and refuses (without
// connecting), and how they are resolved for one node.
#include <gtest/gtest.h>

#include "redis_settings.hpp"

namespace sluice::redis {
namespace {

std::vector<std::string> problems(const std::string& json) {
  auto errors = settings_spec().validate(json);
  if (errors.empty()) validate_settings(settings_spec().parse(json), errors);
  return errors;
}

bool mentions(const std::vector<std::string>& errors, const std::string& text) {
  for (const auto& e : errors)
    if (e.find(text) != std::string::npos) return true;
  return false;
}

std::string joined(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += e + "\n";
  return out;
}

TEST(RedisSettings, DefaultsAreValid) { EXPECT_TRUE(problems("{}").empty()); }

TEST(RedisSettings, EveryModeTogetherIsValid) {
  auto errors = problems(R"({"url": "redis://u:p@127.0.0.1:6379/2", "channels": ["a"],
      "patterns": ["news.*"], "streams": ["s1", "s2"], "group": "g", "max_deliveries": 5,
      "lists": ["q"], "sink": "xadd", "stream_maxlen": 1000, "entry_format": "json"})");
  EXPECT_TRUE(errors.empty()) << joined(errors);
}

TEST(RedisSettings, BadValuesAreNamed) {
  EXPECT_TRUE(mentions(problems(R"({"url": "http://x"})"), "setting 'url'"));
  EXPECT_TRUE(mentions(problems(R"({"sink": "append"})"), "sink"));
  EXPECT_TRUE(mentions(problems(R"({"list_mode": "maybe"})"), "list_mode"));
  EXPECT_TRUE(mentions(problems(R"({"read_count": 0})"), "read_count"));
  EXPECT_TRUE(mentions(problems(R"({"db": -2})"), "db"));
  EXPECT_TRUE(mentions(problems(R"({"streams": ["s"], "group": ""})"), "'group'"));
  EXPECT_TRUE(mentions(problems(R"({"channels": [""]})"), "'channels'"));
  EXPECT_TRUE(mentions(problems(R"({"reconnect_wait_ms": 500, "reconnect_wait_max_ms": 100})"),
                       "reconnect_wait_max_ms"));
  EXPECT_TRUE(mentions(problems(R"({"stream_maxlen": 10, "stream_max_age_ms": 10})"), "not both"));
  EXPECT_TRUE(mentions(problems(R"({"lists": ["q"], "processing_list": "fixed"})"), "${list}"));
  EXPECT_TRUE(mentions(problems(R"({"chanels": ["a"]})"), "chanels"));
}

TEST(RedisSettings, SentinelNeedsAMasterNameAndGoodAddresses) {
  EXPECT_TRUE(
      problems(R"({"sentinels": ["10.0.0.1", "[::1]:26380"], "master_name": "m"})").empty());
  EXPECT_TRUE(mentions(problems(R"({"sentinels": ["h:26379"]})"), "'master_name' must name"));
  EXPECT_TRUE(mentions(problems(R"({"master_name": "m"})"), "needs 'sentinels'"));
  EXPECT_TRUE(mentions(problems(R"({"sentinels": ["h:x"], "master_name": "m"})"),
                       "port 'x' is not a number"));
  EXPECT_TRUE(mentions(problems(R"({"sentinels": [":1"], "master_name": "m"})"), "names no host"));
}

TEST(RedisSettings, ClusterRefusesWhatAClusterCannotDo) {
  EXPECT_TRUE(problems(R"({"cluster": true, "url": "redis://127.0.0.1:7000",
      "cluster_seeds": ["127.0.0.1:7001", "h"], "streams": ["s"], "channels": ["c"]})")
                  .empty());
  EXPECT_TRUE(mentions(problems(R"({"cluster": true, "sentinels": ["h:1"], "master_name": "m"})"),
                       "setting 'cluster': a cluster is found through its nodes"));
  EXPECT_TRUE(mentions(problems(R"({"cluster": true, "url": "redis://h:7000/2"})"),
                       "setting 'db': Redis Cluster has only database 0"));
  EXPECT_TRUE(mentions(problems(R"({"cluster": true, "db": 1})"), "only database 0"));
  EXPECT_TRUE(mentions(problems(R"({"cluster": true, "url": "unix:/tmp/r.sock"})"),
                       "a unix socket cannot seed a cluster"));
  // LMOVE from a list to its processing list: one slot, through a hash tag.
  EXPECT_TRUE(
      mentions(problems(R"({"cluster": true, "lists": ["q"]})"), "hash to different slots"));
  EXPECT_TRUE(problems(R"({"cluster": true, "lists": ["{q}", "{jobs}.high"]})").empty());
  EXPECT_TRUE(
      problems(R"({"cluster": true, "lists": ["q"], "list_mode": "at_most_once"})").empty());
  EXPECT_TRUE(mentions(problems(R"({"cluster_seeds": ["h:1"]})"), "needs 'cluster: true'"));
  EXPECT_TRUE(mentions(problems(R"({"cluster": true, "cluster_seeds": ["h:x"]})"),
                       "setting 'cluster_seeds'"));
}

TEST(RedisSettings, TlsUrlIsRefusedWithTheWorkaround) {
  auto errors = problems(R"({"url": "rediss://h:6380"})");
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_NE(errors[0].find("hiredis >= 1.0"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("stunnel"), std::string::npos) << errors[0];
}

TEST(RedisSettings, ResolvedExpandsNodeIdAndAppliesOverrides) {
  auto s = settings_spec()
               .parse(R"({"url": "redis://a:b@h:1/4", "user": "u2", "password": "p2", "db": 7,
                          "streams": ["s"], "lists": ["jobs"], "target": "out.${node_id}",
                          "requests": ["api.${node_id}"]})")
               .resolved("n1");
  EXPECT_EQ(s.endpoint.user, "u2");
  EXPECT_EQ(s.endpoint.password, "p2");
  EXPECT_EQ(s.endpoint.db, 7);
  EXPECT_EQ(s.client_name, "sluice-n1");
  EXPECT_EQ(s.consumer, "n1");
  EXPECT_EQ(s.target, "out.n1");
  EXPECT_EQ(s.requests, std::vector<std::string>{"api.n1"});
  EXPECT_EQ(s.dead_letter_for("s"), "s:dead");
  EXPECT_EQ(s.processing_for("jobs"), "jobs:processing:n1");
}

TEST(RedisSettings, UrlValuesStayWhenNotOverridden) {
  auto s = settings_spec().parse(R"({"url": "redis://a:b@h:1/4"})").resolved("n");
  EXPECT_EQ(s.endpoint.user, "a");
  EXPECT_EQ(s.endpoint.db, 4);
}

}  // namespace
}  // namespace sluice::redis
