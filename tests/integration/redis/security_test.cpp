// ACL users: AUTH with user and password from the URL works, a wrong
// password is reported with Redis's text, and a user without channel
// rights (Redis 7's default for new users) still publishes.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::redis {
namespace {

class RedisAcl : public ::testing::Test {
 protected:
  void SetUp() override {
    user_ = unique_name("sluice-acl");
    cli({"ACL", "SETUSER", user_, "on", ">s3cret", "~*", "+@all", "resetchannels"});
  }
  void TearDown() override {
    cli({"ACL", "DELUSER", user_});
    if (!out_.empty()) cli({"DEL", out_});
  }
  std::string url(const std::string& password) const {
    return "redis://" + user_ + ":" + password + "@" + redis_addr() + "/0";
  }
  std::string user_, out_;
};

TEST_F(RedisAcl, UserWithoutChannelRights_AuthenticatesAndPublishes) {
  out_ = unique_name("acl-out");
  TempDir dir;
  auto sluice = start_with_config(
      dir, config_header("node-acl") +
               "connectors:\n  gen:\n    plugin: generate\n"
               "    count: 20\n  r:\n    plugin: redis\n    url: " +
               url("s3cret") + "\n    sink: rpush\nroutes:\n  - from: gen\n    to: \"r:" + out_ +
               "\"\n");
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", out_}) == 20;
      },
      std::chrono::seconds(20)))
      << sluice.output();
  EXPECT_NE(sluice.output().find("Redis refused SUBSCRIBE: NOPERM"), std::string::npos)
      << sluice.output();
  std::string clients = cli({"CLIENT", "LIST"});
  EXPECT_NE(clients.find("user=" + user_), std::string::npos) << clients;
}

TEST_F(RedisAcl, WrongPassword_ReportedWithRedisTextNeverThePassword) {
  TempDir dir;
  auto sluice = start_with_config(dir, config_header("node-acl2") +
                                           "connectors:\n  r:\n    plugin: redis\n    url: " +
                                           url("wrong-pw") + "\n    sink: rpush\n");
  expect_logged(sluice, "AUTH refused: WRONGPASS", 1, std::chrono::seconds(20));
  EXPECT_EQ(sluice.output().find("wrong-pw"), std::string::npos) << sluice.output();
}

}  // namespace
}  // namespace sluice::test::redis
