// Round trips through sluice for every source and sink mode, checked with
// redis-cli: pub/sub (SUBSCRIBE and PSUBSCRIBE), streams in a group,
// reliable and at-most-once lists in; PUBLISH, XADD (trimmed), LPUSH,
// RPUSH, SET with TTL, HSET out; a server error fails the message with
// Redis's own text.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::redis {
namespace {

class RedisRoundTrip : public ::testing::Test {
 protected:
  void TearDown() override {
    if (sluice_) sluice_->stop();
    if (!keys_.empty()) {
      std::vector<std::string> del = {"DEL"};
      del.insert(del.end(), keys_.begin(), keys_.end());
      cli(del);
    }
  }
  std::string key(const std::string& name) {
    keys_.push_back(unique_name(name));
    return keys_.back();
  }
  void run(const std::string& yaml) {
    sluice_ =
        std::make_unique<SluiceProcess>(start_with_config(dir_, config_header("node-rt") + yaml));
  }
  std::string connector(const std::string& name, const std::string& settings) {
    return "  " + name + ":\n    plugin: redis\n    url: " + redis_url() + "\n" + settings;
  }

  TempDir dir_;
  std::vector<std::string> keys_;
  std::unique_ptr<SluiceProcess> sluice_;
};

TEST_F(RedisRoundTrip, PubSubChannelToList) {
  std::string channel = key("rt-ch"), out = key("rt-out");
  run("connectors:\n" + connector("r", "    channels: [" + channel + "]\n    sink: lpush\n") +
      "routes:\n  - from: r\n    to: \"r:" + out + "\"\n");
  expect_ready(*sluice_);
  ASSERT_TRUE(wait_until(
      [&] {
        return cli({"PUBSUB", "NUMSUB", channel}).find("\n1") != std::string::npos;
      },
      std::chrono::seconds(10)));
  std::string commands;
  for (int i = 0; i < 100; ++i) commands += "PUBLISH " + channel + " p" + std::to_string(i) + "\n";
  cli_pipe(commands);
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", out}) == 100;
      },
      std::chrono::seconds(20)))
      << sluice_->output();
  EXPECT_EQ(cli({"LINDEX", out, "0"}), "p99\n");  // LPUSH: the newest at the head
}

TEST_F(RedisRoundTrip, PatternSubscriptionKeepsTheChannelAsSubject) {
  std::string prefix = key("rt-pat"), out = key("rt-pat-out");
  run("connectors:\n" + connector("r", "    patterns: [\"" + prefix + ".*\"]\n    sink: xadd\n") +
      "routes:\n  - from: r\n    to: \"r:" + out + "\"\n");
  expect_ready(*sluice_);
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"PUBSUB", "NUMPAT"}) >= 1;
      },
      std::chrono::seconds(10)));
  // Globs span dots, as Redis's do.
  ASSERT_TRUE(wait_until(
      [&] {
        cli({"PUBLISH", prefix + ".a.b", "hello"});
        return cli_int({"XLEN", out}) >= 1;
      },
      std::chrono::seconds(10)))
      << sluice_->output();
  std::string entry = cli({"XRANGE", out, "-", "+", "COUNT", "1"});
  EXPECT_NE(entry.find("payload\nhello"), std::string::npos) << entry;
}

TEST_F(RedisRoundTrip, StreamGroupToEverySinkMode) {
  std::string in = key("rt-in"), set_key = key("rt-set"), hash = key("rt-hash"),
              list = key("rt-rlist"), trimmed = key("rt-trim");
  run("connectors:\n" + connector("src", "    streams: [" + in + "]\n    group_start_id: \"0\"\n") +
      connector("kv", "    sink: set\n    ttl_ms: 60000\n") + connector("h", "    sink: hset\n") +
      connector("rl", "    sink: rpush\n") +
      connector("xs", "    sink: xadd\n    stream_maxlen: 10\n") + "routes:\n  - from: src\n" +
      "    to: [\"kv:" + set_key + "\", \"h:" + hash + "\", \"rl:" + list + "\", \"xs:" + trimmed +
      "\"]\n");
  expect_ready(*sluice_, 5);
  std::string commands;
  for (int i = 0; i < 200; ++i)
    commands += "XADD " + in + " * payload v" + std::to_string(i) + " source test\n";
  cli_pipe(commands);
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", list}) == 200;
      },
      std::chrono::seconds(20)))
      << sluice_->output();
  EXPECT_TRUE(
      wait_until([&] { return pending_count(in, "sluice") == 0; }, std::chrono::seconds(10)));
  EXPECT_EQ(cli({"LINDEX", list, "0"}), "v0\n");  // RPUSH keeps the order
  EXPECT_EQ(cli({"LINDEX", list, "-1"}), "v199\n");
  std::string value = cli({"GET", set_key});
  EXPECT_EQ(value.rfind("v", 0), 0u) << value;
  int64_t ttl = cli_int({"PTTL", set_key});
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 60000);
  std::string fields = cli({"HGETALL", hash});
  EXPECT_NE(fields.find("source\ntest"), std::string::npos) << fields;  // headers become fields
  EXPECT_NE(fields.find("payload\nv"), std::string::npos) << fields;
  // MAXLEN ~ 10 trims whole macro nodes: far fewer than 200, at least 10.
  int64_t len = cli_int({"XLEN", trimmed});
  EXPECT_GE(len, 10);
  EXPECT_LT(len, 200);
}

TEST_F(RedisRoundTrip, StreamDeletedUnderTheConsumer_GroupCreatedAgain) {
  std::string in = key("rt-del"), out = key("rt-del-out");
  run("connectors:\n" +
      connector("src",
                "    streams: [" + in + "]\n    group_start_id: \"0\"\n    block_ms: 200\n") +
      connector("l", "    sink: rpush\n") + "routes:\n  - from: src\n    to: \"l:" + out + "\"\n");
  expect_ready(*sluice_, 2);
  cli({"XADD", in, "*", "payload", "first"});
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", out}) == 1;
      },
      std::chrono::seconds(20)))
      << sluice_->output();
  cli({"DEL", in});  // the stream and its group are gone
  ASSERT_TRUE(wait_until(
      [&] {
        if (cli_int({"EXISTS", in}) == 1) cli({"XADD", in, "*", "payload", "second"});
        return cli_int({"LLEN", out}) >= 2;
      },
      std::chrono::seconds(30)))
      << sluice_->output();
  EXPECT_EQ(cli({"LINDEX", out, "1"}), "second\n");
}

TEST_F(RedisRoundTrip, ReliableListToList_ProcessingListEmptiesOnAck) {
  std::string in = key("rt-q"), out = key("rt-q-out");
  keys_.push_back(in + ":processing:node-rt");
  run("connectors:\n" + connector("q", "    lists: [" + in + "]\n    sink: lpush\n") +
      "routes:\n  - from: q\n    to: \"q:" + out + "\"\n");
  expect_ready(*sluice_);
  std::string commands;
  for (int i = 0; i < 500; ++i) commands += "LPUSH " + in + " job" + std::to_string(i) + "\n";
  cli_pipe(commands);
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", out}) == 500;
      },
      std::chrono::seconds(20)))
      << sluice_->output();
  EXPECT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", in + ":processing:node-rt"}) == 0;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(cli_int({"LLEN", in}), 0);
  EXPECT_EQ(cli({"LINDEX", out, "-1"}), "job0\n");  // FIFO: the first pushed went first
}

TEST_F(RedisRoundTrip, AtMostOnceListUsesNoProcessingList) {
  std::string in = key("rt-q1"), out = key("rt-q1-out");
  run("connectors:\n" +
      connector("q", "    lists: [" + in + "]\n    list_mode: at_most_once\n    sink: rpush\n") +
      "routes:\n  - from: q\n    to: \"q:" + out + "\"\n");
  expect_ready(*sluice_);
  std::string commands;
  for (int i = 0; i < 300; ++i) commands += "LPUSH " + in + " j" + std::to_string(i) + "\n";
  cli_pipe(commands);
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", out}) == 300;
      },
      std::chrono::seconds(20)))
      << sluice_->output();
  EXPECT_EQ(cli_int({"EXISTS", in + ":processing:node-rt"}), 0);
  EXPECT_EQ(cli({"LINDEX", out, "0"}), "j0\n");
}

TEST_F(RedisRoundTrip, WrongTypeFailsTheMessageWithRedisText) {
  std::string in = key("rt-wt"), target = key("rt-wt-str"), dead = key("rt-wt-dead");
  cli({"SET", target, "a string, not a list"});
  run("connectors:\n" + connector("r", "    lists: [" + in + "]\n    sink: lpush\n") +
      connector("d", "    sink: rpush\n") + "routes:\n  - from: r\n    to: \"r:" + target +
      "\"\n    dead_letter: \"d:" + dead + "\"\n");
  expect_ready(*sluice_, 2);
  cli({"LPUSH", in, "x"});
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", dead}) == 1;
      },
      std::chrono::seconds(20)))
      << sluice_->output();
  EXPECT_NE(sluice_->output().find("WRONGTYPE"), std::string::npos) << sluice_->output();
}

}  // namespace
}  // namespace sluice::test::redis
