// End to end through `sluice run` and `sluice check`: every codec, two
// processes sharing a group, kill -9 and restart with a slow output (never
// a commit past an unfinished message, nothing lost), poison messages to a
// dead-letter topic, and clear errors for bad settings.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "kafka_fixture.hpp"
#include "support/chaos.hpp"
#include "support/numbered_json_lines.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::kafka {
namespace {

using namespace std::chrono_literals;

// Connector settings every test wants: quick groups and commits.
std::string kafka_connector(const std::string& name, const std::string& brokers,
                            const std::string& extra) {
  return "  " + name + ":\n    plugin: kafka\n    brokers: \"" + brokers +
         "\"\n    commit_interval_ms: 100\n    statistics_interval_ms: 500\n"
         "    revoke_timeout_ms: 2000\n" +
         extra + "    properties: { session.timeout.ms: 6000, heartbeat.interval.ms: 500 }\n";
}

std::string header(const std::string& node) {
  return "node_id: " + node +
         "\nworkers: 2\nadmin: { enabled: false }\nshutdown_timeout_ms: 20000\nconnectors:\n";
}

std::set<std::string> distinct(const std::vector<std::string>& lines) {
  return {lines.begin(), lines.end()};
}

TEST(KafkaSluiceRun, RoundTripsThroughEveryCodec) {
  const std::string brokers = shared_brokers();
  KafkaClient client(brokers);
  const std::string in = unique_name("rt-in");
  const int count = 200;
  std::vector<Record> records;
  for (int i = 0; i < count; ++i) {
    Record r;
    r.payload = R"({"n":)" + std::to_string(i) + R"(,"pad":")" + std::string(200, 'x') + "\"}";
    r.key = "device-" + std::to_string(i % 10);
    r.headers = {{"trace", "t" + std::to_string(i)}};
    records.push_back(r);
  }
  client.produce(in, records);

  const std::vector<std::string> codecs = {"none", "gzip", "snappy", "lz4", "zstd"};
  TempDir dir;
  std::string yaml = header("codecs") + kafka_connector("source", brokers,
                                                        "    group: " + unique_name("g") +
                                                            "\n    topics: [" + in + "]\n");
  std::string routes = "routes:\n";
  std::map<std::string, std::string> out_topic;
  for (const auto& codec : codecs) {
    out_topic[codec] = unique_name("rt-" + codec);
    yaml += kafka_connector("out_" + codec, brokers, "    compression: " + codec + "\n");
    routes += "  - from: source\n    to: out_" + codec + ":" + out_topic[codec] + "\n";
  }
  write_file(dir.file("sluice.yaml"), yaml + routes);
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));

  for (const auto& codec : codecs) {
    SCOPED_TRACE(codec);
    auto got = client.read(out_topic[codec], count, 60s);
    ASSERT_EQ(got.size(), static_cast<size_t>(count)) << sluice.output();
    std::set<std::string> payloads;
    for (const auto& m : got) {
      payloads.insert(m.payload);
      ASSERT_TRUE(m.key);
      ASSERT_TRUE(m.header("trace"));
      int n = std::stoi(m.payload.substr(5));
      EXPECT_EQ(*m.key, "device-" + std::to_string(n % 10));
      EXPECT_EQ(*m.header("trace"), "t" + std::to_string(n));
    }
    EXPECT_EQ(payloads.size(), static_cast<size_t>(count));
  }
  EXPECT_EQ(sluice.stop(30s), 0) << sluice.output();
}

TEST(KafkaSluiceRun, TwoProcessesInOneGroupSplitTheWorkExactlyOnce) {
  MockCluster cluster(3);
  const std::string topic = unique_name("split");
  const std::string group = unique_name("g");
  cluster.create_topic(topic, 4);
  TempDir dir;
  auto config = [&](const std::string& node) {
    std::string yaml =
        header(node) +
        kafka_connector("in", cluster.bootstraps(),
                        "    group: " + group + "\n    topics: [" + topic + "]\n") +
        "  out:\n    plugin: file\n    mode: sink\n    path: " + dir.file(node + ".out") +
        "\nroutes:\n  - from: in\n    to: out\n";
    write_file(dir.file(node + ".yaml"), yaml);
    return dir.file(node + ".yaml");
  };
  auto a = SluiceProcess::run(config("a"));
  ASSERT_TRUE(a.wait_for_output("assigned 4 partition(s)", 60s)) << a.output();
  auto b = SluiceProcess::run(config("b"));
  ASSERT_TRUE(b.wait_for_output("assigned 2 partition(s)", 60s)) << b.output();

  const int total = 2000;
  std::vector<Record> records;
  for (int i = 0; i < total; ++i)
    records.push_back(Record{"message-" + std::to_string(i), "key-" + std::to_string(i)});
  KafkaClient client(cluster.bootstraps());
  client.produce(topic, records);

  ASSERT_TRUE(wait_until(
      [&] { return count_lines(dir.file("a.out")) + count_lines(dir.file("b.out")) >= total; },
      60s))
      << "a: " << count_lines(dir.file("a.out")) << " b: " << count_lines(dir.file("b.out"));
  EXPECT_EQ(a.stop(30s), 0) << a.output();
  EXPECT_EQ(b.stop(30s), 0) << b.output();

  auto from_a = read_lines(dir.file("a.out"));
  auto from_b = read_lines(dir.file("b.out"));
  EXPECT_GT(from_a.size(), 0u);
  EXPECT_GT(from_b.size(), 0u);
  std::vector<std::string> all = from_a;
  all.insert(all.end(), from_b.begin(), from_b.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(total)) << "a message was processed twice";
  EXPECT_EQ(distinct(all).size(), static_cast<size_t>(total)) << "a message was lost";
}

TEST(KafkaSluiceRun, KillDashNineNeverCommitsPastAnUnfinishedMessageAndLosesNothing) {
  MockCluster cluster(1);
  const std::string topic = unique_name("crash");
  const std::string slow_topic = unique_name("crash-slow");
  const std::string group = unique_name("g");
  cluster.create_topic(topic, 2);
  cluster.create_topic(slow_topic, 1);
  const int total = 3000;
  std::vector<Record> records;
  for (int i = 0; i < total; ++i) {
    // Every 10th message goes to a slow output: its completions come late,
    // after those of the fast messages behind it.
    bool slow = i % 10 == 0;
    records.push_back(
        Record{R"({"n":)" + std::to_string(i) + R"(,"slow":)" + (slow ? "true" : "false") + "}",
               "key-" + std::to_string(i % 4)});
  }
  KafkaClient client(cluster.bootstraps());
  client.produce(topic, records);
  auto input = client.read(topic, total, 30s);
  ASSERT_EQ(input.size(), static_cast<size_t>(total));

  TempDir dir;
  const std::string fast_file = dir.file("fast.out");
  std::string yaml = header("crash") +
                     kafka_connector("in", cluster.bootstraps(),
                                     "    group: " + group + "\n    topics: [" + topic + "]\n") +
                     kafka_connector("slow", cluster.bootstraps(), "    linger_ms: 3000\n") +
                     "  fast:\n    plugin: file\n    mode: sink\n    path: " + fast_file +
                     "\nroutes:\n"
                     "  - from: in\n    where: { slow: false }\n    to: fast\n"
                     "  - from: in\n    where: { slow: true }\n    to: slow:" +
                     slow_topic + "\n";
  write_file(dir.file("sluice.yaml"), yaml);

  auto first = SluiceProcess::run(dir.file("sluice.yaml"));
  ASSERT_TRUE(wait_until([&] { return count_lines(fast_file) >= 500; }, 60s)) << first.output();
  first.signal(SIGKILL);
  first.wait(10s);

  // What was committed must have been delivered: every message below the
  // committed offset of its partition is in the fast file or the slow topic.
  auto committed = client.committed(group, topic);
  std::set<std::string> delivered = distinct(read_lines(fast_file));
  const size_t slow_total = total / 10;
  for (const auto& m : client.read(slow_topic, slow_total, 10s)) delivered.insert(m.payload);
  bool held_back = false;  // a done fast message above a commit point held by a slow one
  for (const auto& m : input) {
    auto c = committed.find(m.partition);
    const int64_t point = c == committed.end() ? 0 : c->second;
    if (m.offset < point)
      EXPECT_TRUE(delivered.count(m.payload))
          << "offset " << m.offset << " of partition " << m.partition
          << " was committed but never delivered: " << m.payload;
    else if (delivered.count(m.payload))
      held_back = true;
  }
  EXPECT_TRUE(held_back) << "expected finished messages behind an unfinished slow one";

  // Restart: everything arrives, at least once.
  auto second = SluiceProcess::run(dir.file("sluice.yaml"));
  std::set<std::string> all;
  ASSERT_TRUE(wait_until(
      [&] {
        all = distinct(read_lines(fast_file));
        for (const auto& m : client.read(slow_topic, slow_total, 15s)) all.insert(m.payload);
        return all.size() >= static_cast<size_t>(total);
      },
      120s, 2s))
      << all.size() << " of " << total << " delivered\n"
      << second.output();
  EXPECT_EQ(second.stop(30s), 0) << second.output();
}

TEST(KafkaSluiceRun, APoisonMessageLandsInTheDeadLetterTopic) {
  const std::string brokers = shared_brokers();
  KafkaClient client(brokers);
  const std::string in = unique_name("poison-in");
  const std::string out = unique_name("poison-out");
  const std::string dlq = unique_name("poison-dlq");
  client.produce(in, {Record{R"({"type":"order","id":1})"}, Record{"this is {not json"},
                      Record{R"({"type":"order","id":2})"}});
  TempDir dir;
  write_file(
      dir.file("sluice.yaml"),
      header("poison") +
          kafka_connector("in", brokers,
                          "    group: " + unique_name("g") + "\n    topics: [" + in + "]\n") +
          kafka_connector("out", brokers, "") + "routes:\n  - from: in\n" +
          "    where: { type: order }\n    to: out:" + out + "\n    dead_letter: out:" + dlq +
          "\n");
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));
  auto dead = client.read(dlq, 1, 60s);
  ASSERT_EQ(dead.size(), 1u) << sluice.output();
  EXPECT_EQ(dead[0].payload, "this is {not json");
  ASSERT_TRUE(dead[0].header("sluice-error"));
  EXPECT_FALSE(dead[0].header("sluice-error")->empty());
  EXPECT_EQ(client.read(out, 2, 30s).size(), 2u);
  EXPECT_EQ(sluice.stop(30s), 0) << sluice.output();
}

TEST(KafkaSluiceRun, CheckExplainsBadSettings) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"),
             header("check") + "  tracking:\n    plugin: kafka\n    brokers: 127.0.0.1:9092\n" +
                 "    topics: [t]\n    compression: brotli\n" +
                 "    properties: { fetch.wait.max.mss: 10 }\n" +
                 "  archive:\n    plugin: kafka\n    brokers: 127.0.0.1:9092\n" +
                 "    properties: { linger.ms: soon }\n" +
                 "routes:\n  - from: tracking\n    to: archive:x\n");
  std::string output;
  int status = run_sluice({"check", "-c", dir.file("sluice.yaml")}, &output);
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("tracking"), std::string::npos) << output;
  EXPECT_NE(output.find("expected one of: none, gzip, snappy, lz4, zstd"), std::string::npos)
      << output;
  EXPECT_NE(output.find("archive"), std::string::npos) << output;
  EXPECT_NE(output.find("property 'linger.ms': Invalid value for configuration property"),
            std::string::npos)
      << output;

  write_file(dir.file("ok.yaml"), header("check") +
                                      "  tracking:\n    plugin: kafka\n    brokers: "
                                      "127.0.0.1:9092\n    topics: [t]\n" +
                                      "routes:\n  - from: tracking\n    to: tracking:copy\n");
  EXPECT_EQ(run_sluice({"check", "-c", dir.file("ok.yaml")}, &output), 0) << output;
  write_file(dir.file("unknown.yaml"),
             header("check") +
                 "  tracking:\n    plugin: kafka\n    brokers: 127.0.0.1:9092\n    topics: [t]\n" +
                 "    properties: { fetch.wait.max.mss: 10 }\n" +
                 "routes:\n  - from: tracking\n    to: tracking:copy\n");
  EXPECT_NE(run_sluice({"check", "-c", dir.file("unknown.yaml")}, &output), 0);
  EXPECT_NE(output.find("No such configuration property: \"fetch.wait.max.mss\""),
            std::string::npos)
      << output;
}

// Several nodes: three sluice processes in one consumer group split six
// partitions; one is killed with SIGKILL mid-stream and the other two take
// its partitions over (after the group's session timeout) and finish the
// stream: nothing lost; what the killed node had not committed is counted
// as duplicates.
TEST(KafkaSluiceRun, ThreeNodesInOneGroup_OneKilledMidStream_TheOthersTakeOver) {
  MockCluster cluster(1);
  const std::string topic = unique_name("nodes");
  const std::string group = unique_name("g");
  cluster.create_topic(topic, 6);
  TempDir dir;
  auto config = [&](const std::string& node) {
    write_file(dir.file(node + ".yaml"),
               header(node) +
                   kafka_connector("in", cluster.bootstraps(),
                                   "    group: " + group + "\n    topics: [" + topic + "]\n") +
                   "  out: { plugin: file, mode: sink, path: \"" + dir.file(node + ".out") +
                   "\", flush_interval_ms: 20 }\nroutes:\n  - from: in\n    to: out\n");
    return dir.file(node + ".yaml");
  };
  std::vector<std::string> nodes = {"a", "b", "c"};
  std::vector<SluiceProcess> running;
  for (const auto& node : nodes) running.push_back(SluiceProcess::run(config(node)));
  for (auto& p : running)
    ASSERT_TRUE(wait_until(
        [&] { return count_occurrences(p.output(), "assigned 2 partition(s)") > 0; }, 60s))
        << p.output();

  constexpr size_t kInputs = 30000;
  std::string lines = numbered_json_lines(kInputs);
  std::vector<Record> records;
  for (size_t begin = 0, i = 0; begin < lines.size(); ++i) {
    size_t end = lines.find('\n', begin);
    records.push_back(Record{lines.substr(begin, end - begin), "key-" + std::to_string(i % 60)});
    begin = end + 1;
  }
  auto delivered = [&] {
    size_t n = 0;
    for (const auto& node : nodes) n += count_lines(dir.file(node + ".out"));
    return n;
  };
  KafkaClient client(cluster.bootstraps());
  client.produce(topic, std::vector<Record>(records.begin(), records.begin() + kInputs / 2));
  ASSERT_TRUE(wait_until([&] { return count_lines(dir.file("b.out")) >= 1000; }, 60s))
      << running[1].output();
  running[1].signal(SIGKILL);
  running[1].wait(10s);
  client.produce(topic, std::vector<Record>(records.begin() + kInputs / 2, records.end()));

  std::vector<std::filesystem::path> outputs;
  for (const auto& node : nodes) outputs.push_back(dir.file(node + ".out"));
  std::vector<int> seen;
  auto lost = [&] {
    seen = count_numbered(outputs, kInputs);
    return static_cast<size_t>(std::count(seen.begin(), seen.end(), 0));
  };
  EXPECT_TRUE(wait_until([&] { return delivered() >= kInputs && lost() == 0; }, 120s))
      << "lost " << lost() << "\n"
      << running[0].output() << running[2].output();
  EXPECT_EQ(running[0].stop(30s), 0) << running[0].output();
  EXPECT_EQ(running[2].stop(30s), 0) << running[2].output();
  size_t duplicated = 0;
  lost();
  for (int times : seen) duplicated += times > 1 ? static_cast<size_t>(times - 1) : 0;
  EXPECT_GT(count_lines(dir.file("a.out")), 0u);
  EXPECT_GT(count_lines(dir.file("c.out")), 0u);
  std::cout << "[ measured ] three nodes, one killed: " << kInputs << " inputs, 0 lost, "
            << duplicated << " duplicated\n";
}

// The crash harness (support/chaos.hpp) on Kafka -> file: a consumer group
// member killed at random moments (the group waits out its session each
// time), restarted, and left to finish: nothing lost or corrupt.
TEST(KafkaSluiceRun, Chaos_KilledAtRandom_NothingLostOrCorrupt) {
  MockCluster cluster(1);
  const std::string topic = unique_name("chaos");
  cluster.create_topic(topic, 4);
  constexpr size_t kInputs = 20000;
  std::vector<Record> records;
  std::string lines = numbered_json_lines(kInputs);
  for (size_t begin = 0, i = 0; begin < lines.size(); ++i) {
    size_t end = lines.find('\n', begin);
    records.push_back(Record{lines.substr(begin, end - begin), "key-" + std::to_string(i % 8)});
    begin = end + 1;
  }
  KafkaClient(cluster.bootstraps()).produce(topic, records);
  TempDir dir;
  const std::string out = dir.file("out.jsonl");
  write_file(
      dir.file("sluice.yaml"),
      header("chaos") +
          kafka_connector("in", cluster.bootstraps(),
                          "    group: " + unique_name("g") + "\n    topics: [" + topic + "]\n") +
          "  out: { plugin: file, mode: sink, path: \"" + out +
          "\", flush_interval_ms: 20 }\nroutes:\n  - from: in\n    to: out\n");
  ChaosScenario scenario{
      "kafka -> file",
      kInputs,
      [&] { return Process(SluiceProcess::run(dir.file("sluice.yaml"))); },
      [&] { return count_lines(out); },
      [&] { return read_lines(out); },
      numbered_payload,
  };
  expect_at_least_once(run_chaos(scenario, ChaosSettings::from_env(4)));
}

// The crash harness on file -> Kafka: the file checkpoint advances only
// when the producer's deliveries are confirmed, so a kill loses nothing.
TEST(KafkaSluiceRun, Chaos_FileToKafkaKilledAtRandom_NothingLostOrCorrupt) {
  MockCluster cluster(1);
  const std::string topic = unique_name("chaos-out");
  cluster.create_topic(topic, 4);
  // Keyless messages are keyed by node_id, so all of them and their
  // duplicates land in one partition, of which the mock cluster keeps only
  // 5 MB: 20,000 lines of 175 bytes plus ~8,000 duplicates went past it
  // and it dropped the oldest (counted as lost). 10,000 stay well within.
  constexpr size_t kInputs = 10000;
  TempDir dir;
  write_file(dir.file("in.jsonl"), numbered_json_lines(kInputs));
  write_file(dir.file("sluice.yaml"),
             header("chaos-sink") + kafka_connector("out", cluster.bootstraps(), "") +
                 "  in: { plugin: file, mode: source, path: \"" + dir.file("in.jsonl") +
                 "\", checkpoint_interval_ms: 20 }\nstate_dir: " + dir.file("state") +
                 "\nroutes:\n  - from: in\n    to: \"out:" + topic + "\"\n");
  KafkaClient client(cluster.bootstraps());
  ChaosScenario scenario{
      "file -> kafka",
      kInputs,
      [&] { return Process(SluiceProcess::run(dir.file("sluice.yaml"))); },
      [&] { return static_cast<size_t>(client.message_count(topic)); },
      [&] {
        std::vector<std::string> payloads;
        for (auto& m : client.read(topic, static_cast<size_t>(client.message_count(topic)), 60s))
          payloads.push_back(std::move(m.payload));
        return payloads;
      },
      numbered_payload,
  };
  ChaosResult result = run_chaos(scenario, ChaosSettings::from_env(4));
  EXPECT_EQ(client.trimmed(topic), 0)
      << "the mock cluster dropped the oldest messages of a full partition (5 MB): what "
         "looks lost below is the test's, not sluice's";
  expect_at_least_once(result);
}

}  // namespace
}  // namespace sluice::test::kafka
