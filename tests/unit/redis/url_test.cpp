// Redis URLs: TCP with ACL user and password, db, IPv6, unix sockets, and
// the mistakes a user makes, each refused with what is wrong.
#include <gtest/gtest.h>

#include "redis_url.hpp"

namespace sluice::redis {
namespace {

RedisEndpoint parsed(const std::string& url) {
  RedisEndpoint ep;
  auto problem = parse_redis_url(url, ep);
  EXPECT_FALSE(problem) << url << ": " << problem.value_or("");
  return ep;
}

std::string refusal(const std::string& url) {
  RedisEndpoint ep;
  return parse_redis_url(url, ep).value_or("");
}

TEST(RedisUrl, HostPortUserPasswordDb) {
  auto ep = parsed("redis://agent:s%40cret@10.0.0.5:6380/3");
  EXPECT_EQ(ep.host, "10.0.0.5");
  EXPECT_EQ(ep.port, 6380);
  EXPECT_EQ(ep.user, "agent");
  EXPECT_EQ(ep.password, "s@cret");
  EXPECT_EQ(ep.db, 3);
  EXPECT_FALSE(ep.tls);
  EXPECT_EQ(ep.describe(), "10.0.0.5:6380");
}

TEST(RedisUrl, DefaultsAndPasswordAlone) {
  auto ep = parsed("redis://localhost");
  EXPECT_EQ(ep.port, 6379);
  EXPECT_FALSE(ep.db.has_value());
  EXPECT_TRUE(ep.user.empty());
  auto secret = parsed("redis://:onlypass@h");
  EXPECT_EQ(secret.password, "onlypass");
  EXPECT_TRUE(secret.user.empty());
  auto bare = parsed("redis://pw@h");
  EXPECT_EQ(bare.password, "pw");
}

TEST(RedisUrl, Ipv6) {
  auto ep = parsed("redis://[::1]:7000/0");
  EXPECT_EQ(ep.host, "::1");
  EXPECT_EQ(ep.port, 7000);
  EXPECT_EQ(ep.describe(), "[::1]:7000");
}

TEST(RedisUrl, UnixSocket) {
  auto ep = parsed("unix:/run/redis/redis.sock");
  EXPECT_EQ(ep.unix_path, "/run/redis/redis.sock");
  EXPECT_EQ(ep.describe(), "unix:/run/redis/redis.sock");
  EXPECT_EQ(parsed("unix:///tmp/r.sock?db=2").db, 2);
  EXPECT_EQ(parsed("unix:///tmp/r.sock").unix_path, "/tmp/r.sock");
}

TEST(RedisUrl, TlsSchemeIsRecognised) { EXPECT_TRUE(parsed("rediss://h:6380").tls); }

TEST(RedisUrl, MistakesAreNamed) {
  EXPECT_NE(refusal("http://h").find("is not a Redis URL"), std::string::npos);
  EXPECT_NE(refusal("redis://h:99999").find("port '99999'"), std::string::npos);
  EXPECT_NE(refusal("redis://h:").find("port ''"), std::string::npos);
  EXPECT_NE(refusal("redis://h/x").find("database 'x'"), std::string::npos);
  EXPECT_NE(refusal("redis://:p@/0").find("names no host"), std::string::npos);
  EXPECT_NE(refusal("unix:relative.sock").find("absolute socket path"), std::string::npos);
  EXPECT_NE(refusal("unix:/s.sock?x=1").find("?db=N"), std::string::npos);
  EXPECT_NE(refusal("redis://[::1:6379").find("unclosed"), std::string::npos);
}

TEST(RedisUrl, ErrorsNeverShowThePassword) {
  std::string text = refusal("redis://agent:topsecret@h:port/0");
  EXPECT_NE(text.find("port 'port'"), std::string::npos) << text;
  EXPECT_EQ(text.find("topsecret"), std::string::npos) << text;
}

}  // namespace
}  // namespace sluice::redis
