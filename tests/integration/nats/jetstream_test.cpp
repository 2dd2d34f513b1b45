// JetStream through sluice: at-least-once across a kill -9 (acks only after
// the sink confirmed), push consumers, and publishes that wait for PubAcks.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <set>
#include <thread>

#include "fixture.hpp"
#include "support/chaos.hpp"
#include "support/numbered_json_lines.hpp"

namespace sluice::test::nats {
namespace {

// A stream name from a unique prefix (stream names cannot contain dots).
std::string stream_name(const std::string& prefix) {
  std::string s = prefix;
  for (char& c : s)
    if (c == '.') c = '_';
  return s;
}

class JetStream {
 public:
  explicit JetStream(Client& client) {
    EXPECT_EQ(natsConnection_JetStream(&js_, client.get(), nullptr), NATS_OK);
  }
  ~JetStream() {
    for (const auto& s : created_) js_DeleteStream(js_, s.c_str(), nullptr, nullptr);
    jsCtx_Destroy(js_);
  }
  void add_stream(const std::string& name, const std::string& subject) {
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const char* subjects[] = {subject.c_str()};
    cfg.Name = name.c_str();
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_MemoryStorage;
    jsErrCode code = static_cast<jsErrCode>(0);
    ASSERT_EQ(js_AddStream(nullptr, js_, &cfg, nullptr, &code), NATS_OK) << code;
    created_.push_back(name);
  }
  void forget(const std::string& name) { created_.push_back(name); }
  void publish(const std::string& subject, const std::string& payload) {
    jsErrCode code = static_cast<jsErrCode>(0);
    ASSERT_EQ(js_Publish(nullptr, js_, subject.c_str(), payload.data(),
                         static_cast<int>(payload.size()), nullptr, &code),
              NATS_OK);
  }
  uint64_t stored(const std::string& stream) {
    jsStreamInfo* si = nullptr;
    if (js_GetStreamInfo(&si, js_, stream.c_str(), nullptr, nullptr) != NATS_OK) return 0;
    uint64_t n = si->State.Msgs;
    jsStreamInfo_Destroy(si);
    return n;
  }
  // Messages the consumer still has to deliver or see acknowledged.
  int64_t outstanding(const std::string& stream, const std::string& durable) {
    jsConsumerInfo* ci = nullptr;
    if (js_GetConsumerInfo(&ci, js_, stream.c_str(), durable.c_str(), nullptr, nullptr) != NATS_OK)
      return -1;
    int64_t n = static_cast<int64_t>(ci->NumPending) + ci->NumAckPending;
    jsConsumerInfo_Destroy(ci);
    return n;
  }

 private:
  jsCtx* js_ = nullptr;
  std::vector<std::string> created_;
};

std::string consumer_config(const std::string& node, const std::string& stream,
                            const std::string& prefix, const std::string& out,
                            const std::string& deliver) {
  return config_header(node) + R"(
connectors:
  bus:
    plugin: nats
    url: )" +
         nats_url() + R"(
    jetstream:
      stream: )" +
         stream + R"(
      durable: sluice_test
      deliver: )" +
         deliver + R"(
      ack_wait_ms: 2000
      batch: 50
  out:
    plugin: file
    path: )" +
         out + R"(
    mode: sink
    batch_bytes: 1  # write (and confirm) each message at once
routes:
  - from: bus:)" +
         prefix + R"(.orders.>
    to: out
)";
}

std::set<std::string> distinct_lines(const std::string& path) {
  if (!std::filesystem::exists(path)) return {};
  auto lines = read_lines(path);
  return {lines.begin(), lines.end()};
}

TEST(NatsJetStream, KilledMidStream_RestartDeliversEveryMessageAtLeastOnce) {
  Client client(nats_url());
  JetStream js(client);
  std::string prefix = unique_prefix("js");
  std::string stream = stream_name(prefix);
  js.add_stream(stream, prefix + ".orders.>");
  TempDir dir;
  std::string out = dir.file("out.txt");
  std::string yaml = consumer_config("node-js", stream, prefix, out, "pull");

  constexpr int kMessages = 5000;
  auto first = start_with_config(dir, yaml);
  expect_ready(first);
  std::thread publisher([&] {
    for (int i = 0; i < kMessages; ++i) {
      js.publish(prefix + ".orders." + std::to_string(i % 10), "order-" + std::to_string(i));
      if (i % 500 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  bool some =
      wait_until([&] { return distinct_lines(out).size() >= 1000; }, std::chrono::seconds(30));
  first.signal(SIGKILL);
  first.wait(std::chrono::seconds(5));
  publisher.join();
  ASSERT_TRUE(some) << first.output();
  size_t before_restart = distinct_lines(out).size();
  EXPECT_LT(before_restart, static_cast<size_t>(kMessages)) << "sluice was not killed mid-stream";
  EXPECT_EQ(js.stored(stream), static_cast<uint64_t>(kMessages));

  auto second = start_with_config(dir, yaml);
  expect_ready(second);
  ASSERT_TRUE(
      wait_until([&] { return distinct_lines(out).size() >= kMessages; }, std::chrono::seconds(60)))
      << "got " << distinct_lines(out).size() << " of " << kMessages << "\n"
      << second.output();
  // Every message acknowledged once it was written.
  EXPECT_TRUE(wait_until([&] { return js.outstanding(stream, "sluice_test") == 0; },
                         std::chrono::seconds(15)))
      << js.outstanding(stream, "sluice_test");
  EXPECT_EQ(second.stop(), 0) << second.output();

  auto got = distinct_lines(out);
  for (int i = 0; i < kMessages; ++i)
    ASSERT_TRUE(got.count("order-" + std::to_string(i))) << "lost order-" << i;
  EXPECT_GE(read_lines(out).size(), static_cast<size_t>(kMessages));
}

// The crash harness (support/chaos.hpp) on JetStream -> file: kills at
// random moments, then a run to the end; nothing lost or corrupt, and
// nothing left unacknowledged.
TEST(NatsJetStream, Chaos_KilledAtRandom_NothingLostOrCorrupt) {
  Client client(nats_url());
  JetStream js(client);
  std::string prefix = unique_prefix("jschaos");
  std::string stream = stream_name(prefix);
  js.add_stream(stream, prefix + ".orders.>");
  constexpr size_t kInputs = 10000;
  std::string lines = numbered_json_lines(kInputs);
  for (size_t begin = 0, i = 0; begin < lines.size(); ++i) {
    size_t end = lines.find('\n', begin);
    js.publish(prefix + ".orders." + std::to_string(i % 10), lines.substr(begin, end - begin));
    begin = end + 1;
  }
  ASSERT_EQ(js.stored(stream), kInputs);
  TempDir dir;
  std::string out = dir.file("out.jsonl");
  write_file(dir.file("sluice.yaml"), consumer_config("node-jschaos", stream, prefix, out, "pull"));
  ChaosScenario scenario{
      "jetstream -> file",
      kInputs,
      [&] { return Process(SluiceProcess::run(dir.file("sluice.yaml"))); },
      [&] { return count_lines(out); },
      [&] { return read_lines(out); },
      numbered_payload,
      // A message the killed run wrote but never acked comes back after
      // ack_wait: the last run stops only when the consumer has nothing
      // pending (the check fails the test if it never gets there).
      [&] { return js.outstanding(stream, "sluice_test") == 0; },
  };
  expect_at_least_once(run_chaos(scenario, ChaosSettings::from_env(5)));
}

// Several nodes: three sluice processes pull from one durable consumer and
// share its messages; one is killed with SIGKILL mid-stream, its unacked
// messages come back after ack_wait to the other two: nothing lost.
TEST(NatsJetStream, ThreeNodesOnOneDurable_OneKilledMidStream_TheOthersTakeOver) {
  Client client(nats_url());
  JetStream js(client);
  std::string prefix = unique_prefix("jsnodes");
  std::string stream = stream_name(prefix);
  js.add_stream(stream, prefix + ".orders.>");
  TempDir dir;
  std::vector<std::string> nodes = {"a", "b", "c"};
  std::vector<SluiceProcess> running;
  for (const auto& node : nodes) {
    running.push_back(start_with_config(
        dir, consumer_config("node-" + node, stream, prefix, dir.file(node + ".out"), "pull"),
        node + ".yaml"));
    expect_ready(running.back());
  }
  constexpr size_t kInputs = 6000;
  std::string lines = numbered_json_lines(kInputs);
  std::vector<std::string> payloads;
  for (size_t begin = 0; begin < lines.size();) {
    size_t end = lines.find('\n', begin);
    payloads.push_back(lines.substr(begin, end - begin));
    begin = end + 1;
  }
  auto publish = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i)
      js.publish(prefix + ".orders." + std::to_string(i % 10), payloads[i]);
  };
  publish(0, kInputs / 2);
  ASSERT_TRUE(
      wait_until([&] { return count_lines(dir.file("b.out")) >= 300; }, std::chrono::seconds(60)))
      << running[1].output();
  running[1].signal(SIGKILL);
  running[1].wait(std::chrono::seconds(10));
  publish(kInputs / 2, kInputs);

  std::vector<std::filesystem::path> outputs;
  for (const auto& node : nodes) outputs.push_back(dir.file(node + ".out"));
  std::vector<int> seen;
  auto lost = [&] {
    seen = count_numbered(outputs, kInputs);
    return static_cast<size_t>(std::count(seen.begin(), seen.end(), 0));
  };
  EXPECT_TRUE(wait_until([&] { return lost() == 0; }, std::chrono::seconds(120)))
      << "lost " << lost() << "\n"
      << running[0].output() << running[2].output();
  EXPECT_TRUE(wait_until([&] { return js.outstanding(stream, "sluice_test") == 0; },
                         std::chrono::seconds(30)));
  EXPECT_EQ(running[0].stop(), 0) << running[0].output();
  EXPECT_EQ(running[2].stop(), 0) << running[2].output();
  size_t duplicated = 0;
  lost();
  for (int times : seen) duplicated += times > 1 ? static_cast<size_t>(times - 1) : 0;
  EXPECT_GT(count_lines(dir.file("a.out")), 0u);
  EXPECT_GT(count_lines(dir.file("c.out")), 0u);
  std::cout << "[ measured ] three nodes, one killed: " << kInputs << " inputs, 0 lost, "
            << duplicated << " duplicated\n";
}

TEST(NatsJetStream, PushConsumer_DeliversAndAcks) {
  Client client(nats_url());
  JetStream js(client);
  std::string prefix = unique_prefix("jspush");
  std::string stream = stream_name(prefix);
  js.add_stream(stream, prefix + ".orders.>");
  for (int i = 0; i < 300; ++i) js.publish(prefix + ".orders.eu", "order-" + std::to_string(i));
  TempDir dir;
  std::string out = dir.file("out.txt");
  auto sluice = start_with_config(dir, consumer_config("node-push", stream, prefix, out, "push"));
  expect_ready(sluice);
  ASSERT_TRUE(
      wait_until([&] { return distinct_lines(out).size() >= 300; }, std::chrono::seconds(30)))
      << sluice.output();
  EXPECT_TRUE(wait_until([&] { return js.outstanding(stream, "sluice_test") == 0; },
                         std::chrono::seconds(15)));
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

TEST(NatsJetStream, CreateStreamAndConsumer_FromSettings) {
  Client client(nats_url());
  JetStream js(client);
  std::string prefix = unique_prefix("jscreate");
  std::string stream = stream_name(prefix);
  js.forget(stream);  // deleted at the end although sluice creates it
  TempDir dir;
  std::string out = dir.file("out.txt");
  auto sluice = start_with_config(dir, config_header("node-create") + R"(
connectors:
  bus:
    plugin: nats
    url: )" + nats_url() + R"(
    jetstream:
      stream: )" + stream + R"(
      subjects: [")" + prefix + R"(.events.>"]
      create_stream: true
      storage: memory
  out:
    plugin: file
    path: )" + out + R"(
    mode: sink
    batch_bytes: 1  # write (and confirm) each message at once
routes:
  - from: bus:)" + prefix + R"(.events.>
    to: out
)");
  expect_ready(sluice);
  EXPECT_NE(sluice.output().find("created JetStream stream"), std::string::npos);
  for (int i = 0; i < 50; ++i) js.publish(prefix + ".events.x", "event-" + std::to_string(i));
  ASSERT_TRUE(
      wait_until([&] { return distinct_lines(out).size() >= 50; }, std::chrono::seconds(20)))
      << sluice.output();
  // Served by the consumer only: no second copy through a core subscription.
  EXPECT_EQ(read_lines(out).size(), 50u);
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

TEST(NatsJetStream, PublishJetStream_CompletesOnPubAck) {
  Client client(nats_url());
  JetStream js(client);
  std::string prefix = unique_prefix("jspub");
  std::string stream = stream_name(prefix);
  js.add_stream(stream, prefix + ".stored.>");
  TempDir dir;
  std::string input;
  for (int i = 0; i < 400; ++i) input += "line-" + std::to_string(i) + "\n";
  write_file(dir.file("in.txt"), input);
  auto sluice = start_with_config(dir, config_header("node-pub") + R"(
connectors:
  lines:
    plugin: file
    path: )" + dir.file("in.txt") + R"(
    mode: source
  bus:
    plugin: nats
    url: )" + nats_url() + R"(
    publish_jetstream: true
routes:
  - from: lines
    to: bus:)" + prefix + R"(.stored.lines
)");
  ASSERT_TRUE(wait_until([&] { return js.stored(stream) >= 400; }, std::chrono::seconds(20)))
      << sluice.output();
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
  EXPECT_EQ(js.stored(stream), 400u);
}

// The crash harness on file -> JetStream: the file checkpoint advances
// only on PubAcks. Progress is what the stream stored; the outputs are every
// publish seen by a plain subscriber on the stream's subjects.
TEST(NatsJetStream, Chaos_FileToJetStreamKilledAtRandom_NothingLostOrCorrupt) {
  Client client(nats_url());
  JetStream js(client);
  std::string prefix = unique_prefix("jschaospub");
  std::string stream = stream_name(prefix);
  js.add_stream(stream, prefix + ".stored.>");
  auto seen = client.subscribe(prefix + ".stored.>");
  client.flush();
  constexpr size_t kInputs = 10000;
  TempDir dir;
  write_file(dir.file("in.jsonl"), numbered_json_lines(kInputs));
  write_file(dir.file("sluice.yaml"),
             config_header("node-jschaospub") + "state_dir: " + dir.file("state") +
                 "\nconnectors:\n  lines: { plugin: file, mode: source, path: \"" +
                 dir.file("in.jsonl") +
                 "\", checkpoint_interval_ms: 20 }\n  bus:\n    plugin: nats\n"
                 "    url: " +
                 nats_url() +
                 "\n    publish_jetstream: true\nroutes:\n"
                 "  - from: lines\n    to: bus:" +
                 prefix + ".stored.lines\n");
  ChaosScenario scenario{
      "file -> jetstream",
      kInputs,
      [&] { return Process(SluiceProcess::run(dir.file("sluice.yaml"))); },
      [&] { return static_cast<size_t>(js.stored(stream)); },
      [&] {
        std::vector<std::string> payloads;
        for (auto& m : seen->snapshot()) payloads.push_back(std::move(m.payload));
        return payloads;
      },
      numbered_payload,
  };
  expect_at_least_once(run_chaos(scenario, ChaosSettings::from_env(5)));
}

TEST(NatsJetStream, PublishJetStream_ToSubjectWithoutStream_FailsClearly) {
  TempDir dir;
  std::string prefix = unique_prefix("jsnostream");
  write_file(dir.file("in.txt"), "one\n");
  auto sluice = start_with_config(dir, config_header("node-nostream") + R"(
connectors:
  lines:
    plugin: file
    path: )" + dir.file("in.txt") + R"(
    mode: source
  bus:
    plugin: nats
    url: )" + nats_url() + R"(
    publish_jetstream: true
    retry: {max_attempts: 2, initial_backoff_ms: 10}
routes:
  - from: lines
    to: bus:)" + prefix + R"(.nowhere
)");
  EXPECT_TRUE(
      sluice.wait_for_output("no JetStream stream stores subject", std::chrono::seconds(15)))
      << sluice.output();
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

}  // namespace
}  // namespace sluice::test::nats
