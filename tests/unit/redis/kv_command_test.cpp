// sluice.kv's requests become one Redis command each; mistakes are named.
#include "kv_command.hpp"

#include <gtest/gtest.h>

namespace sluice::redis {
namespace {

using Args = std::vector<std::string>;

Args command(const std::string& json) {
  std::string error;
  Args args = kv_command(json, error);
  EXPECT_FALSE(args.empty()) << error;
  return args;
}

std::string refusal(const std::string& json) {
  std::string error;
  EXPECT_TRUE(kv_command(json, error).empty());
  return error;
}

TEST(RedisKvCommand, EachOp) {
  EXPECT_EQ(command(R"({"op":"get","key":"k"})"), (Args{"GET", "k"}));
  EXPECT_EQ(command(R"({"op":"del","key":"k"})"), (Args{"DEL", "k"}));
  EXPECT_EQ(command(R"({"op":"set","key":"k","value":"v","ttl_ms":0})"), (Args{"SET", "k", "v"}));
  EXPECT_EQ(command(R"({"op":"set","key":"k","value":{"a":1},"ttl_ms":500})"),
            (Args{"SET", "k", R"({"a":1})", "PX", "500"}));
  Args incr = command(R"({"op":"incr","key":"k","ttl_ms":1000})");
  ASSERT_EQ(incr.size(), 5u);
  EXPECT_EQ(incr[0], "EVAL");
  EXPECT_EQ(incr[3], "k");
  EXPECT_EQ(incr[4], "1000");
}

TEST(RedisKvCommand, MistakesAreNamed) {
  EXPECT_EQ(refusal("[1]"), "sluice.kv: the request is not a JSON object");
  EXPECT_EQ(refusal(R"({"op":"get"})"), "sluice.kv: no key");
  EXPECT_EQ(refusal(R"({"op":"set","key":"k"})"), "sluice.kv.set: no value");
  EXPECT_EQ(refusal(R"({"op":"get","key":"k","ttl_ms":-1})"), "sluice.kv: ttl_ms must be >= 0");
  EXPECT_EQ(refusal(R"({"op":"append","key":"k"})"),
            "sluice.kv: unknown op 'append' (get, set, incr, del, take)");
  EXPECT_NE(refusal(R"({"op":"take","key":"k","count":0,"limit":10,"window_ms":1000})")
                .find("count >= 1"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"op":"take","key":"k","count":1,"limit":10})").find("window_ms"),
            std::string::npos);
}

TEST(RedisKvCommand, TakeIsOneScriptWithLimitCountAndWindow) {
  Args take = command(R"({"op":"take","key":"t:k","count":5,"limit":100,"window_ms":1000})");
  ASSERT_EQ(take.size(), 7u);
  EXPECT_EQ(take[0], "EVAL");
  EXPECT_EQ(take[2], "1");
  EXPECT_EQ(take[3], "t:k");
  EXPECT_EQ((Args{take[4], take[5], take[6]}), (Args{"100", "5", "1000"}));
}

TEST(RedisKvCommand, RepliesCarryTheValue) {
  redisReply nil{};
  nil.type = REDIS_REPLY_NIL;
  EXPECT_EQ(kv_reply(&nil), R"({"value":null})");
  redisReply n{};
  n.type = REDIS_REPLY_INTEGER;
  n.integer = 7;
  EXPECT_EQ(kv_reply(&n), R"({"value":7})");
  char text[] = "cached";
  redisReply s{};
  s.type = REDIS_REPLY_STRING;
  s.str = text;
  s.len = 6;
  EXPECT_EQ(kv_reply(&s), R"({"value":"cached"})");
  redisReply granted{}, reset{};
  granted.type = reset.type = REDIS_REPLY_INTEGER;
  granted.integer = 3;
  reset.integer = 850;
  redisReply* pair[] = {&granted, &reset};
  redisReply take{};
  take.type = REDIS_REPLY_ARRAY;
  take.elements = 2;
  take.element = pair;
  EXPECT_EQ(kv_reply(&take), R"({"value":[3,850]})");
}

}  // namespace
}  // namespace sluice::redis
