// Stream entries <-> messages, and the command each sink mode sends.
#include <gtest/gtest.h>

#include "entry_mapping.hpp"
#include "sink_command.hpp"

namespace sluice::redis {
namespace {

TEST(RedisMapping, PayloadFieldAndHeaders) {
  auto m = map_entry({{"type", "cmd"}, {"payload", "{\"a\":1}"}, {"node", "n1"}},
                     EntryFormat::kFields, "payload");
  EXPECT_EQ(m.payload, "{\"a\":1}");
  ASSERT_EQ(m.headers.size(), 2u);
  EXPECT_EQ(m.headers[0], (std::pair<std::string, std::string>{"type", "cmd"}));
  EXPECT_EQ(m.headers[1], (std::pair<std::string, std::string>{"node", "n1"}));
}

TEST(RedisMapping, EntryWithoutPayloadFieldHasEmptyPayload) {
  auto m = map_entry({{"x", "1"}}, EntryFormat::kFields, "payload");
  EXPECT_EQ(m.payload, "");
  EXPECT_EQ(m.headers.size(), 1u);
}

TEST(RedisMapping, JsonFormatIsTheWholeEntry) {
  auto m = map_entry({{"a", "1"}, {"b", "x\"y"}}, EntryFormat::kJson, "payload");
  EXPECT_EQ(m.payload, R"({"a":"1","b":"x\"y"})");
  EXPECT_TRUE(m.headers.empty());
}

TEST(RedisMapping, FieldsOfPutsPayloadFirstAndDropsAClashingHeader) {
  auto f = fields_of("body", {{"payload", "spoof"}, {"k", "v"}}, "payload");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].second, "body");
  EXPECT_EQ(f[1].first, "k");
}

struct Msg {
  std::vector<sluice_header> headers;
  sluice_message m{};
  Msg(std::string_view subject, std::string_view payload,
      std::vector<std::pair<std::string_view, std::string_view>> h = {}) {
    for (auto& [n, v] : h) headers.push_back({to_bytes(n), to_bytes(v)});
    m.struct_size = sizeof m;
    m.subject = to_bytes(subject);
    m.payload = to_bytes(payload);
    m.headers = headers.data();
    m.header_count = headers.size();
  }
};

RedisSettings with(const std::string& json) { return settings_spec().parse(json).resolved("n"); }

std::vector<std::string> command(const RedisSettings& s, const Msg& msg, int64_t now_ms = 0) {
  std::string error;
  auto args = sink_command(s, MessageView(&msg.m), now_ms, error);
  EXPECT_FALSE(args.empty()) << error;
  return args;
}

using Args = std::vector<std::string>;

TEST(RedisSink, EachModeSendsItsCommand) {
  Msg msg("k", "v", {{"h", "1"}});
  EXPECT_EQ(command(with("{}"), msg), (Args{"PUBLISH", "k", "v"}));
  EXPECT_EQ(command(with(R"({"sink": "lpush"})"), msg), (Args{"LPUSH", "k", "v"}));
  EXPECT_EQ(command(with(R"({"sink": "rpush"})"), msg), (Args{"RPUSH", "k", "v"}));
  EXPECT_EQ(command(with(R"({"sink": "set"})"), msg), (Args{"SET", "k", "v"}));
  EXPECT_EQ(command(with(R"({"sink": "set", "ttl_ms": 1500})"), msg),
            (Args{"SET", "k", "v", "PX", "1500"}));
  EXPECT_EQ(command(with(R"({"sink": "hset"})"), msg),
            (Args{"HSET", "k", "payload", "v", "h", "1"}));
  EXPECT_EQ(command(with(R"({"sink": "xadd"})"), msg),
            (Args{"XADD", "k", "*", "payload", "v", "h", "1"}));
}

TEST(RedisSink, XaddTrimsByLengthOrAge) {
  Msg msg("s", "v");
  EXPECT_EQ(command(with(R"({"sink": "xadd", "stream_maxlen": 1000})"), msg),
            (Args{"XADD", "s", "MAXLEN", "~", "1000", "*", "payload", "v"}));
  EXPECT_EQ(command(with(R"({"sink": "xadd", "stream_max_age_ms": 60000})"), msg, 1000000),
            (Args{"XADD", "s", "MINID", "~", "940000-0", "*", "payload", "v"}));
}

TEST(RedisSink, TargetIsTheDefaultKeyAndNoKeyAtAllIsRefused) {
  Msg msg("", "v");
  EXPECT_EQ(command(with(R"({"target": "out.${node_id}"})"), msg), (Args{"PUBLISH", "out.n", "v"}));
  std::string error;
  EXPECT_TRUE(sink_command(with("{}"), MessageView(&msg.m), 0, error).empty());
  EXPECT_NE(error.find("no subject"), std::string::npos);
}

}  // namespace
}  // namespace sluice::redis
