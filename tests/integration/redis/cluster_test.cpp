// Redis Cluster: sluice against three masters of the test's own. Keys the
// sink and sluice.kv write land on the master of their slot; stream entries
// and reliable list items on every master are each delivered once (and
// pub/sub messages published on any node arrive); a slot migrated
// mid-stream is followed (ASK while it migrates, then MOVED) with nothing
// lost. Where things landed is checked with redis-cli against each node,
// without -c (no redirects followed).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "cluster_fixture.hpp"
#include "redirect_loop_node.hpp"

namespace sluice::test::redis {
namespace {

std::string cluster_connector(const PrivateCluster& cluster, const std::string& settings) {
  return "  r:\n    plugin: redis\n    url: \"" + cluster.url() +
         "\"\n    cluster: true\n    reconnect_wait_ms: 100\n" + settings;
}

std::string header_with_admin(const std::string& node_id, uint16_t admin_port) {
  return "node_id: " + node_id +
         "\nworkers: 2\nshutdown_timeout_ms: 10000\nadmin: {enabled: true, listen: 127.0.0.1:" +
         std::to_string(admin_port) + "}\n";
}

// The connector's count of redirects followed, from /metrics.
double redirects_followed(uint16_t admin_port) {
  std::string metrics = http_get("127.0.0.1", admin_port, "/metrics").body;
  std::string name = "sluice_redis_cluster_redirects_total{connector=\"r\",plugin=\"redis\"} ";
  size_t at = metrics.find(name);
  EXPECT_NE(at, std::string::npos) << metrics;
  return at == std::string::npos ? -1 : std::stod(metrics.substr(at + name.size()));
}

// LLEN on the node at `port`, after ASKING: an importing node answers MOVED without it.
int64_t llen_asking(const std::string& list, uint16_t port) {
  std::vector<std::string> lines = cli_lines("ASKING\nLLEN " + list + "\n", port);
  return lines.size() == 2 && lines[0] == "OK" ? std::stoll(lines[1]) : -1;
}

// LRANGE of a list on the node at `port`.
std::vector<std::string> list_on(const std::string& list, uint16_t port) {
  return cli_lines("LRANGE " + list + " 0 -1\n", port);
}

// Waits until `out` on `port` holds `expected` items, then returns how many
// times each arrived.
std::map<std::string, int> each_once_in(const std::string& out, uint16_t port, size_t expected,
                                        Process& sluice) {
  EXPECT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", out}, port) >= static_cast<int64_t>(expected);
      },
      std::chrono::seconds(30)))
      << cli_int({"LLEN", out}, port) << " of " << expected << "\n"
      << sluice.output();
  std::map<std::string, int> seen;
  for (const auto& item : list_on(out, port)) ++seen[item];
  EXPECT_EQ(seen.size(), expected);
  for (const auto& [item, times] : seen) EXPECT_EQ(times, 1) << item;
  return seen;
}

TEST(RedisCluster, SinkAndKvKeysLandOnTheMasterOfTheirSlot) {
  PrivateCluster cluster;
  ASSERT_TRUE(cluster.ok());
  constexpr int kMessages = 300;
  uint16_t admin_port = free_tcp_port();
  TempDir dir;
  // Each message: a SET through the sink and one through sluice.kv, on keys
  // that spread over every slot range.
  write_file(dir.file("routes.lua"), R"lua(
local kv = sluice.kv('r')
sluice.on('gen', function(msg)
  assert(kv.set('kv-' .. msg.subject, msg.payload))
  sluice.publish('r:' .. msg.subject, msg.payload)
end)
)lua");
  auto sluice = start_with_config(
      dir, header_with_admin("node-cl", admin_port) + "script: routes.lua\nconnectors:\n" +
               cluster_connector(cluster, "    sink: set\n") +
               "  gen:\n    plugin: generate\n    count: " + std::to_string(kMessages) +
               "\n    subject: \"ck-${counter}\"\n    payload: \"v${counter}\"\n");
  auto total = [&] {
    int64_t n = 0;
    for (uint16_t p : cluster.ports()) n += cli_int({"DBSIZE"}, p);
    return n;
  };
  ASSERT_TRUE(wait_until([&] { return total() == 2 * kMessages; }, std::chrono::seconds(20)))
      << total() << " keys\n"
      << sluice.output();
  std::vector<uint16_t> owners = cluster.slot_owners();
  for (uint16_t p : cluster.ports()) {
    std::vector<std::string> keys = cli_lines("KEYS *\n", p);
    EXPECT_GT(keys.size(), 0u) << "no key on the master at port " << p;
    std::vector<int> slots = cluster.slots_of(keys);
    std::string gets;
    for (const auto& k : keys) gets += "GET " + k + "\n";
    std::vector<std::string> values = cli_lines(gets, p);
    ASSERT_EQ(values.size(), keys.size());
    for (size_t i = 0; i < keys.size() && i < slots.size(); ++i) {
      EXPECT_EQ(owners[slots[i]], p) << keys[i] << " (slot " << slots[i] << ") is on port " << p;
      EXPECT_EQ(values[i], "v" + keys[i].substr(keys[i].rfind('-') + 1)) << keys[i];
    }
  }
  // Straight to each key's master: sluice's own slot map and hashing, no redirect needed.
  EXPECT_EQ(redirects_followed(admin_port), 0);
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

TEST(RedisCluster, StreamEntriesOnEveryMasterReachTheOutputOnce) {
  PrivateCluster cluster;
  ASSERT_TRUE(cluster.ok());
  constexpr int kPerStream = 100;
  const std::vector<std::string> streams = {"cs-a", "cs-b", "cs-c", "cs-d", "cs-e", "cs-f"};
  std::vector<uint16_t> owners = cluster.slot_owners();
  std::vector<int> slots = cluster.slots_of(streams);
  std::set<uint16_t> masters;
  for (int s : slots) masters.insert(owners[s]);
  ASSERT_EQ(masters.size(), 3u) << "the test's streams should live on all three masters";
  auto fill = [&](int from, int to) {
    for (size_t i = 0; i < streams.size(); ++i) {
      std::string commands;
      for (int n = from; n < to; ++n)
        commands +=
            "XADD " + streams[i] + " * payload " + streams[i] + "-" + std::to_string(n) + "\n";
      cli_pipe(commands, owners[slots[i]]);
    }
  };
  fill(0, kPerStream);  // before sluice starts: read from the group's start
  std::string out = "cs-out";
  uint16_t out_port = owners[cluster.slots_of({out})[0]];
  std::string list;
  for (const auto& s : streams) list += (list.empty() ? "" : ", ") + s;
  TempDir dir;
  auto sluice = start_with_config(
      dir, config_header("node-cs") + "connectors:\n" +
               cluster_connector(cluster, "    streams: [" + list +
                                              "]\n    channels: [cs-ch]\n"
                                              "    group_start_id: \"0\"\n    sink: rpush\n") +
               "routes:\n  - from: r\n    to: \"r:" + out + "\"\n");
  expect_ready(sluice);
  fill(kPerStream, 2 * kPerStream);  // while it reads
  // Subscribed on one master; a message published on any node reaches it.
  ASSERT_TRUE(wait_until(
      [&] {
        int64_t subscribers = 0;
        for (uint16_t p : cluster.ports())
          subscribers += std::stoll(cli_lines("PUBSUB NUMSUB cs-ch\n", p).back());
        return subscribers == 1;
      },
      std::chrono::seconds(10)));
  for (uint16_t p : cluster.ports()) cli({"PUBLISH", "cs-ch", "ch-" + std::to_string(p)}, p);
  const size_t expected = streams.size() * 2 * kPerStream + cluster.ports().size();
  each_once_in(out, out_port, expected, sluice);
  for (size_t i = 0; i < streams.size(); ++i)
    EXPECT_TRUE(
        wait_until([&] { return pending_count(streams[i], "sluice", owners[slots[i]]) == 0; },
                   std::chrono::seconds(10)))
        << streams[i];
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

TEST(RedisCluster, ReliableListsOnEveryMasterDeliverEachItemOnce) {
  PrivateCluster cluster;
  ASSERT_TRUE(cluster.ok());
  constexpr int kPerList = 100;
  // Hash tags keep each list and its processing list on one master.
  const std::vector<std::string> lists = {"{cq-a}", "{cq-b}", "{cq-d}"};
  std::vector<uint16_t> owners = cluster.slot_owners();
  std::vector<int> slots = cluster.slots_of(lists);
  std::set<uint16_t> masters;
  for (int s : slots) masters.insert(owners[s]);
  ASSERT_EQ(masters.size(), 3u) << "the test's lists should live on all three masters";
  auto fill = [&](int from, int to) {
    for (size_t i = 0; i < lists.size(); ++i) {
      std::string commands;
      for (int n = from; n < to; ++n)
        commands += "LPUSH " + lists[i] + " " + lists[i] + "-" + std::to_string(n) + "\n";
      cli_pipe(commands, owners[slots[i]]);
    }
  };
  fill(0, kPerList / 2);
  // An item an earlier run took and did not finish: delivered again at start.
  std::string processing = lists[0] + ":processing:node-cq";
  cli({"LPUSH", processing, "left-over"}, owners[slots[0]]);
  std::string out = "cq-out";
  uint16_t out_port = owners[cluster.slots_of({out})[0]];
  TempDir dir;
  auto sluice = start_with_config(
      dir, config_header("node-cq") + "connectors:\n" +
               cluster_connector(cluster, "    lists: [\"" + lists[0] + "\", \"" + lists[1] +
                                              "\", \"" + lists[2] + "\"]\n    sink: rpush\n") +
               "routes:\n  - from: r\n    to: \"r:" + out + "\"\n");
  expect_ready(sluice);
  fill(kPerList / 2, kPerList);  // while it takes
  const size_t expected = lists.size() * kPerList + 1;
  auto seen = each_once_in(out, out_port, expected, sluice);
  EXPECT_EQ(seen["left-over"], 1);
  for (size_t i = 0; i < lists.size(); ++i)
    EXPECT_TRUE(wait_until(
        [&] {
          return cli_int({"LLEN", lists[i] + ":processing:node-cq"}, owners[slots[i]]) == 0;
        },
        std::chrono::seconds(10)))
        << lists[i] << "'s processing list is not empty";
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

TEST(RedisCluster, SlotMigratedMidStream_RedirectsAreFollowedNothingLost) {
  PrivateCluster cluster;
  ASSERT_TRUE(cluster.ok());
  constexpr int kMessages = 1000;
  std::string key = "moving-list";
  int slot = cluster.slots_of({key})[0];
  uint16_t from = cluster.owner_of_slot(slot);
  uint16_t to = cluster.ports()[0] == from ? cluster.ports()[1] : cluster.ports()[0];
  uint16_t admin_port = free_tcp_port();
  TempDir dir;
  auto sluice = start_with_config(
      dir, header_with_admin("node-mv", admin_port) + "connectors:\n" +
               cluster_connector(cluster, "    sink: rpush\n") +
               "  gen:\n    plugin: generate\n    count: " + std::to_string(kMessages) +
               "\n    rate: 500\n    subject: " + key +
               "\n    payload: \"m${counter}\"\n"
               "routes:\n  - from: gen\n    to: r\n");
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", key}, from) >= 100;
      },
      std::chrono::seconds(20), std::chrono::milliseconds(5)))
      << sluice.output();
  cluster.start_migration(slot, to);
  int64_t migrated = llen_asking(key, to);  // what MIGRATE took along
  // The old owner answers ASK for the key it no longer has: ASKING, then the
  // command, on the new one.
  ASSERT_TRUE(wait_until([&] { return llen_asking(key, to) >= migrated + 50; },
                         std::chrono::seconds(20), std::chrono::milliseconds(5)))
      << sluice.output();
  double asks = redirects_followed(admin_port);
  EXPECT_GE(asks, 1);
  cluster.finish_migration(slot, to);
  ASSERT_EQ(cluster.owner_of_slot(slot), to);
  ASSERT_TRUE(wait_until(
      [&] {
        return cli_int({"LLEN", key}, to) >= kMessages;
      },
      std::chrono::seconds(30)))
      << cli_int({"LLEN", key}, to) << " of " << kMessages << "\n"
      << sluice.output();
  EXPECT_GT(redirects_followed(admin_port), asks) << "no MOVED followed after the migration";
  std::set<std::string> seen;
  for (const auto& payload : list_on(key, to)) seen.insert(payload);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(cli_int({"DBSIZE"}, from), 0) << "the key stayed on the old owner";
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

TEST(RedisCluster, StreamSlotMigrated_ConsumerFollowsItToTheNewMaster) {
  PrivateCluster cluster;
  ASSERT_TRUE(cluster.ok());
  constexpr int kBatch = 200;
  std::string stream = "ms-stream", out = "ms-out";
  std::vector<uint16_t> owners = cluster.slot_owners();
  std::vector<int> slots = cluster.slots_of({stream, out});
  uint16_t from = owners[slots[0]], out_port = owners[slots[1]];
  uint16_t to = cluster.ports()[0] == from ? cluster.ports()[1] : cluster.ports()[0];
  auto fill = [&](int first, uint16_t port) {
    std::string commands;
    for (int n = first; n < first + kBatch; ++n)
      commands += "XADD " + stream + " * payload e" + std::to_string(n) + "\n";
    cli_pipe(commands, port);
  };
  fill(0, from);
  TempDir dir;
  auto sluice = start_with_config(
      dir, config_header("node-ms") + "connectors:\n" +
               cluster_connector(cluster, "    streams: [" + stream +
                                              "]\n    group_start_id: \"0\"\n    block_ms: 200\n"
                                              "    claim_idle_ms: 500\n    claim_interval_ms: 200\n"
                                              "    sink: rpush\n") +
               "routes:\n  - from: r\n    to: \"r:" + out + "\"\n");
  auto distinct = [&] {
    std::set<std::string> seen;
    for (const auto& payload : list_on(out, out_port)) seen.insert(payload);
    return seen.size();
  };
  ASSERT_TRUE(wait_until([&] { return distinct() >= static_cast<size_t>(kBatch); },
                         std::chrono::seconds(20)))
      << sluice.output();
  // MIGRATE takes the stream along with its group and pending entries.
  cluster.move_slot(slots[0], to);
  fill(kBatch, to);
  ASSERT_TRUE(wait_until([&] { return distinct() >= static_cast<size_t>(2 * kBatch); },
                         std::chrono::seconds(30)))
      << distinct() << " of " << 2 * kBatch << "\n"
      << sluice.output();
  EXPECT_EQ(distinct(), static_cast<size_t>(2 * kBatch));
  expect_logged(sluice, "moved from 127.0.0.1:" + std::to_string(from), 1, std::chrono::seconds(5));
  EXPECT_TRUE(wait_until([&] { return pending_count(stream, "sluice", to) == 0; },
                         std::chrono::seconds(10)))
      << "entries left pending on the new master";
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

TEST(RedisCluster, MasterDown_HealthNamesItAndTrafficResumesWhenItIsBack) {
  PrivateCluster cluster;
  ASSERT_TRUE(cluster.ok());
  uint16_t admin_port = free_tcp_port();
  uint16_t down = cluster.ports()[2];
  // A key that lives on the node that goes down.
  std::vector<uint16_t> owners = cluster.slot_owners();
  std::string key;
  for (int i = 0; key.empty(); ++i)
    if (owners[cluster.slots_of({"dn-" + std::to_string(i)})[0]] == down)
      key = "dn-" + std::to_string(i);
  TempDir dir;
  auto sluice =
      start_with_config(dir, header_with_admin("node-dn", admin_port) + "connectors:\n" +
                                 cluster_connector(cluster,
                                                   "    channels: [dn-in]\n    sink: rpush\n"
                                                   "    reconnect_wait_max_ms: 200\n") +
                                 "routes:\n  - from: r\n    to: \"r:" + key + "\"\n");
  expect_ready(sluice);
  auto readyz = [&] { return http_get("127.0.0.1", admin_port, "/readyz"); };
  ASSERT_TRUE(wait_until([&] { return readyz().status == 200; }, std::chrono::seconds(10)));
  cluster.node(2).kill9();
  std::string health;
  bool named = wait_until(
      [&] {
        auto r = readyz();
        health = r.body;
        return r.status == 503 &&
               health.find("127.0.0.1:" + std::to_string(down)) != std::string::npos;
      },
      std::chrono::seconds(20));
  EXPECT_TRUE(named) << "health does not name the node that is down: " << health;
  cluster.node(2).start();
  ASSERT_TRUE(cluster.wait_ok());
  expect_ready(sluice, 2, std::chrono::seconds(30));
  // Subscribed again (on one master) and writing to the node that came back.
  ASSERT_TRUE(wait_until(
      [&] {
        for (uint16_t p : cluster.ports()) cli({"PUBLISH", "dn-in", "after"}, p);
        return cli_int({"LLEN", key}, down) >= 1;
      },
      std::chrono::seconds(20)))
      << sluice.output();
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

TEST(RedisCluster, EndlessRedirects_GivenUpAfterTheLimitWithAClearError) {
  RedirectLoopNode node;
  TempDir dir;
  auto sluice = start_with_config(
      dir,
      "node_id: node-loop\nworkers: 1\nshutdown_timeout_ms: 500\nadmin: {enabled: false}\n"
      "connectors:\n  r:\n    plugin: redis\n    url: \"redis://127.0.0.1:" +
          std::to_string(node.port()) +
          "\"\n    cluster: true\n    sink: set\n"
          "  gen:\n    plugin: generate\n    count: 1\n    subject: looping-key\n"
          "routes:\n  - from: gen\n    to: r\n");
  expect_ready(sluice);
  expect_logged(sluice,
                "MOVED 866 127.0.0.1:" + std::to_string(node.port()) +
                    " (redirected 5 times: sluice gave up)",
                1, std::chrono::seconds(20));
  sluice.stop();
}

}  // namespace
}  // namespace sluice::test::redis
