// At-least-once under failures: sluice killed with SIGKILL mid-stream and
// restarted (streams and reliable lists), two sluice processes sharing one
// consumer group, redis-server killed and restarted under a running sluice,
// and a poison entry moved to the dead-letter stream. Lost and duplicated
// entries are counted; nothing may be lost or stay pending.
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <sstream>

#include "fixture.hpp"
#include "support/chaos.hpp"

namespace sluice::test::redis {
namespace {

class RedisResilience : public ::testing::Test {
 protected:
  void TearDown() override {
    for (auto& s : sluices_)
      if (s) s->stop();
    if (!keys_.empty()) {
      std::vector<std::string> del = {"DEL"};
      del.insert(del.end(), keys_.begin(), keys_.end());
      cli(del, port_);
    }
  }
  std::string key(const std::string& name) {
    keys_.push_back(unique_name(name));
    return keys_.back();
  }
  SluiceProcess& run(const std::string& node, const std::string& yaml) {
    auto dir = std::make_unique<TempDir>();
    sluices_.push_back(
        std::make_unique<SluiceProcess>(start_with_config(*dir, config_header(node) + yaml)));
    dirs_.push_back(std::move(dir));
    return *sluices_.back();
  }
  // Every element of list `out` -> how often it is there.
  std::map<std::string, int> counts(const std::string& out) {
    std::map<std::string, int> seen;
    std::istringstream lines(cli({"LRANGE", out, "0", "-1"}, port_));
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) ++seen[line];
    return seen;
  }
  void fill_stream(const std::string& stream, int n) {
    std::string commands;
    for (int i = 0; i < n; ++i)
      commands += "XADD " + stream + " * payload e" + std::to_string(i) + "\n";
    cli_pipe(commands, port_);
  }
  std::string stream_to_list(const std::string& stream, const std::string& out,
                             const std::string& url, const std::string& extra = "") {
    return "connectors:\n  r:\n    plugin: redis\n    url: " + url + "\n    streams: [" + stream +
           "]\n    group_start_id: \"0\"\n    claim_idle_ms: 2000\n    claim_interval_ms: 200\n" +
           "    read_count: 20\n    max_in_flight: 50\n    reconnect_wait_ms: 50\n" +
           "    reconnect_wait_max_ms: 500\n    sink: rpush\n" + extra +
           "routes:\n  - from: r\n    to: \"r:" + out + "\"\n";
  }

  uint16_t port_ = 0;  // 0: the shared server
  std::unique_ptr<PrivateRedis> private_;
  std::vector<std::string> keys_;
  std::vector<std::unique_ptr<TempDir>> dirs_;
  std::vector<std::unique_ptr<SluiceProcess>> sluices_;
};

TEST_F(RedisResilience, StreamKill9MidStream_NothingLostNonePending) {
  constexpr int kEntries = 10000;
  std::string in = key("res-s"), out = key("res-s-out");
  fill_stream(in, kEntries);
  std::string yaml = stream_to_list(in, out, redis_url());
  SluiceProcess& first = run("node-k9", yaml);
  expect_ready(first);
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", out}) >= 1000;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(2)))
      << first.output();
  first.signal(SIGKILL);
  ASSERT_TRUE(first.wait(std::chrono::seconds(10)));
  int64_t at_kill = cli_int({"LLEN", out});
  ASSERT_LT(at_kill, kEntries) << "the kill came too late to test anything";

  SluiceProcess& second = run("node-k9", yaml);  // same consumer name: takes its own pending back
  expect_ready(second);
  std::map<std::string, int> seen;
  ASSERT_TRUE(wait_until(
      [&] {
        seen = counts(out);
        return seen.size() >= static_cast<size_t>(kEntries);
      },
      std::chrono::seconds(120)))
      << "distinct entries downstream: " << seen.size() << "\n"
      << second.output();
  EXPECT_TRUE(
      wait_until([&] { return pending_count(in, "sluice") == 0; }, std::chrono::seconds(20)));
  size_t duplicates = 0;
  for (const auto& [v, n] : counts(out)) duplicates += static_cast<size_t>(n - 1);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kEntries));
  std::cout << "stream kill -9 after " << at_kill << " of " << kEntries << ": lost 0, duplicated "
            << duplicates << "\n";
  EXPECT_EQ(second.stop(), 0) << second.output();
}

// The crash harness (support/chaos.hpp) on the two durable Redis sources,
// each pushing to a list: kills at random moments, then a run to the end;
// nothing lost or corrupt, nothing left pending or in a processing list.
class RedisChaos : public RedisResilience {
 protected:
  // Reads list `out` as the scenario's outputs; inputs are "e<number>".
  ChaosScenario scenario(const std::string& name, size_t inputs, const TempDir& dir,
                         const std::string& out) {
    return ChaosScenario{
        name,
        inputs,
        [&dir] { return Process(SluiceProcess::run(dir.file("sluice.yaml"))); },
        [out] {
          return static_cast<size_t>(cli_int({"LLEN", out}));
        },
        [out] {
          std::vector<std::string> all;
          std::istringstream lines(cli({"LRANGE", out, "0", "-1"}));
          for (std::string line; std::getline(lines, line);)
            if (!line.empty()) all.push_back(line);
          return all;
        },
        [](std::string_view output) -> std::optional<size_t> {
          if (output.size() < 2 || output[0] != 'e') return std::nullopt;
          size_t n = 0;
          for (char c : output.substr(1)) {
            if (c < '0' || c > '9') return std::nullopt;
            n = n * 10 + static_cast<size_t>(c - '0');
          }
          return n;
        },
    };
  }
};

TEST_F(RedisChaos, StreamKilledAtRandom_NothingLostOrCorrupt) {
  constexpr size_t kEntries = 10000;
  std::string in = key("chaos-s"), out = key("chaos-s-out");
  fill_stream(in, static_cast<int>(kEntries));
  TempDir dir;
  write_file(dir.file("sluice.yaml"),
             config_header("node-chaos") + stream_to_list(in, out, redis_url()));
  ChaosScenario chaos = scenario("redis stream -> redis list", kEntries, dir, out);
  // Every entry acknowledged before the last run stops: nothing left pending.
  chaos.settled = [&] { return pending_count(in, "sluice") == 0; };
  expect_at_least_once(run_chaos(chaos, ChaosSettings::from_env(5)));
}

TEST_F(RedisChaos, ReliableListKilledAtRandom_NothingLostOrCorrupt) {
  constexpr size_t kItems = 10000;
  std::string in = key("chaos-l"), out = key("chaos-l-out");
  std::string processing = in + ":processing:node-lchaos";
  keys_.push_back(processing);
  std::string commands;
  for (size_t i = 0; i < kItems; ++i) commands += "LPUSH " + in + " e" + std::to_string(i) + "\n";
  cli_pipe(commands);
  TempDir dir;
  write_file(dir.file("sluice.yaml"),
             config_header("node-lchaos") + "connectors:\n  q:\n    plugin: redis\n    url: " +
                 redis_url() + "\n    lists: [" + in +
                 "]\n    read_count: 20\n    max_in_flight: 50\n    sink: rpush\nroutes:\n"
                 "  - from: q\n    to: \"q:" +
                 out + "\"\n");
  ChaosScenario chaos = scenario("redis list -> redis list", kItems, dir, out);
  // Recovered items processed and removed before the last run stops.
  chaos.settled = [&] { return cli_int({"LLEN", processing}) == 0; };
  expect_at_least_once(run_chaos(chaos, ChaosSettings::from_env(5)));
}

TEST_F(RedisResilience, TwoProcessesInOneGroup_EachEntryOnce) {
  constexpr int kEntries = 4000;
  std::string in = key("res-g"), out = key("res-g-out");
  cli({"XGROUP", "CREATE", in, "sluice", "0", "MKSTREAM"});
  std::string yaml = stream_to_list(in, out, redis_url());
  SluiceProcess& a = run("node-a", yaml);
  SluiceProcess& b = run("node-b", yaml);
  expect_ready(a);
  expect_ready(b);
  fill_stream(in, kEntries);
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", out}) >= kEntries;
      },
      std::chrono::seconds(60)))
      << a.output() << b.output();
  EXPECT_TRUE(
      wait_until([&] { return pending_count(in, "sluice") == 0; }, std::chrono::seconds(20)));
  auto seen = counts(out);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kEntries));
  EXPECT_EQ(cli_int({"LLEN", out}), kEntries);  // no entry twice
  // Both consumers took a share.
  std::string consumers = cli({"XINFO", "CONSUMERS", in, "sluice"});
  EXPECT_NE(consumers.find("node-a"), std::string::npos) << consumers;
  EXPECT_NE(consumers.find("node-b"), std::string::npos) << consumers;
}

TEST_F(RedisResilience, ListKill9MidStream_NothingLost) {
  constexpr int kItems = 10000;
  std::string in = key("res-l"), out = key("res-l-out");
  keys_.push_back(in + ":processing:node-lk9");
  std::string commands;
  for (int i = 0; i < kItems; ++i) commands += "LPUSH " + in + " i" + std::to_string(i) + "\n";
  cli_pipe(commands);
  std::string yaml = "connectors:\n  q:\n    plugin: redis\n    url: " + redis_url() +
                     "\n    lists: [" + in + "]\n    read_count: 20\n    max_in_flight: 50\n" +
                     "    sink: rpush\nroutes:\n  - from: q\n    to: \"q:" + out + "\"\n";
  SluiceProcess& first = run("node-lk9", yaml);
  expect_ready(first);
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", out}) >= 1000;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(2)))
      << first.output();
  first.signal(SIGKILL);
  ASSERT_TRUE(first.wait(std::chrono::seconds(10)));
  int64_t at_kill = cli_int({"LLEN", out});
  ASSERT_LT(at_kill, kItems) << "the kill came too late to test anything";
  int64_t left_in_processing = cli_int({"LLEN", in + ":processing:node-lk9"});

  SluiceProcess& second = run("node-lk9", yaml);
  expect_ready(second);
  std::map<std::string, int> seen;
  ASSERT_TRUE(wait_until(
      [&] {
        seen = counts(out);
        return seen.size() >= static_cast<size_t>(kItems);
      },
      std::chrono::seconds(120)))
      << "distinct items downstream: " << seen.size() << "\n"
      << second.output();
  EXPECT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", in + ":processing:node-lk9"}) == 0;
      },
      std::chrono::seconds(20)));
  size_t duplicates = 0;
  for (const auto& [v, n] : counts(out)) duplicates += static_cast<size_t>(n - 1);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kItems));
  std::cout << "list kill -9 after " << at_kill << " of " << kItems << " (" << left_in_processing
            << " in the processing list): lost 0, duplicated " << duplicates << "\n";
  EXPECT_EQ(second.stop(), 0) << second.output();
}

TEST_F(RedisResilience, ServerKilledAndRestarted_ReconnectsNothingLost) {
  auto server_owner = std::make_unique<PrivateRedis>();
  PrivateRedis& server = *server_owner;
  private_ = std::move(server_owner);  // outlives TearDown's cleanup
  port_ = server.port();
  constexpr int kBatch = 2000;
  std::string in = key("res-r"), out = key("res-r-out");
  uint16_t admin_port = free_tcp_port();
  auto dir = std::make_unique<TempDir>();
  std::string header =
      "node_id: node-rs\nworkers: 2\nshutdown_timeout_ms: 10000\n"
      "admin: {enabled: true, listen: 127.0.0.1:" +
      std::to_string(admin_port) + "}\n";
  sluices_.push_back(std::make_unique<SluiceProcess>(
      start_with_config(*dir, header + stream_to_list(in, out, server.url()))));
  dirs_.push_back(std::move(dir));
  SluiceProcess& sluice = *sluices_.back();
  expect_ready(sluice);
  auto ready = [&] { return http_get("127.0.0.1", admin_port, "/readyz").status; };
  ASSERT_TRUE(wait_until([&] { return ready() == 200; }, std::chrono::seconds(10)));
  fill_stream(in, kBatch);
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", out}, port_) >= 200;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(2)));
  server.kill9();
  bool went_unhealthy = wait_until([&] { return ready() == 503; }, std::chrono::seconds(20));
  std::string health = http_get("127.0.0.1", admin_port, "/readyz").body;
  server.start();
  EXPECT_TRUE(went_unhealthy) << health;
  expect_ready(sluice, 2, std::chrono::seconds(30));
  std::string more;
  for (int i = kBatch; i < 2 * kBatch; ++i)
    more += "XADD " + in + " * payload e" + std::to_string(i) + "\n";
  cli_pipe(more, port_);
  std::map<std::string, int> seen;
  ASSERT_TRUE(wait_until(
      [&] {
        seen = counts(out);
        return seen.size() >= static_cast<size_t>(2 * kBatch);
      },
      std::chrono::seconds(60)))
      << "distinct entries downstream: " << seen.size() << "\n"
      << sluice.output();
  EXPECT_TRUE(wait_until([&] { return pending_count(in, "sluice", port_) == 0; },
                         std::chrono::seconds(20)));
  EXPECT_EQ(seen.size(), static_cast<size_t>(2 * kBatch));
  std::string metrics = http_get("127.0.0.1", admin_port, "/metrics").body;
  EXPECT_NE(metrics.find("sluice_redis_reconnects_total{connector=\"r\",plugin=\"redis\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

TEST_F(RedisResilience, PoisonEntryGoesToTheDeadLetterStreamAfterMaxDeliveries) {
  std::string in = key("res-p"), target = key("res-p-str");
  keys_.push_back(in + ":dead");
  cli({"SET", target, "not a list"});  // every LPUSH to it fails: WRONGTYPE
  SluiceProcess& s =
      run("node-p", "connectors:\n  r:\n    plugin: redis\n    url: " + redis_url() +
                        "\n    streams: [" + in +
                        "]\n    group_start_id: \"0\"\n    claim_idle_ms: 100\n" +
                        "    claim_interval_ms: 50\n    max_deliveries: 3\n    sink: lpush\n" +
                        "routes:\n  - from: r\n    to: \"r:" + target + "\"\n");
  expect_ready(s);
  cli({"XADD", in, "*", "payload", "poison", "kind", "test"});
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"XLEN", in + ":dead"}) == 1;
      },
      std::chrono::seconds(30)))
      << s.output();
  std::string dead = cli({"XRANGE", in + ":dead", "-", "+"});
  EXPECT_NE(dead.find("payload\npoison"), std::string::npos) << dead;
  EXPECT_NE(dead.find("sluice-deliveries\n3"), std::string::npos) << dead;
  EXPECT_TRUE(
      wait_until([&] { return pending_count(in, "sluice") == 0; }, std::chrono::seconds(10)));
}

}  // namespace
}  // namespace sluice::test::redis
