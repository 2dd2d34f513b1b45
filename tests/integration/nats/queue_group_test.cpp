// Sluice processes in one NATS queue group share a subject: every message
// is handled by exactly one of them, and when one is killed the server
// gives the rest of the stream to the others.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <map>

#include "fixture.hpp"
#include "support/chaos.hpp"
#include "support/http_client.hpp"

namespace sluice::test::nats {
namespace {

std::string queue_config(const std::string& node, const std::string& prefix,
                         const std::string& out) {
  return config_header(node) + R"(
connectors:
  bus:
    plugin: nats
    url: )" +
         nats_url() + R"(
    name: )" +
         prefix + "-" + node + R"(
    queue_group: workers
  out:
    plugin: file
    path: )" +
         out + R"(
    mode: sink
    batch_bytes: 1  # write (and confirm) each message at once
routes:
  - from: bus:)" +
         prefix + R"(.jobs
    to: out
)";
}

TEST(NatsQueueGroup, TwoInstances_EveryMessageHandledExactlyOnce) {
  Client client(nats_url());
  TempDir dir_a, dir_b;
  std::string prefix = unique_prefix("queue");
  std::string out_a = dir_a.file("out.txt"), out_b = dir_b.file("out.txt");
  auto a = start_with_config(dir_a, queue_config("node-a", prefix, out_a));
  auto b = start_with_config(dir_b, queue_config("node-b", prefix, out_b));
  expect_ready(a);
  expect_ready(b);

  constexpr int kMessages = 2000;
  for (int i = 0; i < kMessages; ++i) client.publish(prefix + ".jobs", "job-" + std::to_string(i));
  client.flush();

  auto lines = [](const std::string& path) {
    return std::filesystem::exists(path) ? read_lines(path) : std::vector<std::string>{};
  };
  ASSERT_TRUE(wait_until([&] { return lines(out_a).size() + lines(out_b).size() >= kMessages; },
                         std::chrono::seconds(30)))
      << "a:\n"
      << a.output() << "\nb:\n"
      << b.output();
  EXPECT_EQ(a.stop(), 0) << a.output();
  EXPECT_EQ(b.stop(), 0) << b.output();

  std::map<std::string, int> seen;
  auto la = lines(out_a), lb = lines(out_b);
  for (const auto& l : la) ++seen[l];
  for (const auto& l : lb) ++seen[l];
  EXPECT_EQ(la.size() + lb.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(seen.size(), static_cast<size_t>(kMessages));
  for (const auto& [job, n] : seen) EXPECT_EQ(n, 1) << job;
  // The group really shares: both instances did some of the work.
  EXPECT_GT(la.size(), 0u);
  EXPECT_GT(lb.size(), 0u);
}

// True while nats-server still lists a client connection named `name`
// (its monitoring endpoint; the name is the connector's `name` setting).
bool server_lists_client(const std::string& name) {
  std::string monitor = nats_monitor();
  size_t colon = monitor.rfind(':');
  auto port = static_cast<std::uint16_t>(std::stoi(monitor.substr(colon + 1)));
  HttpResponse r = http_get(monitor.substr(0, colon), port, "/connz?limit=4096");
  if (r.status != 200) return true;  // cannot tell yet: keep waiting
  return r.body.find("\"" + name + "\"") != std::string::npos;
}

// Core NATS has no acknowledgements: what the server had handed to the
// killed node and it had not written is gone (at-most-once, as the README
// says). What the test holds the group to: no message is handled twice,
// and once the server has dropped the dead member every later message
// reaches one of the two survivors.
TEST(NatsQueueGroup, ThreeNodes_OneKilledMidStream_TheOthersTakeOver) {
  Client client(nats_url());
  TempDir dir;
  std::string prefix = unique_prefix("qnodes");
  std::vector<std::string> nodes = {"node-a", "node-b", "node-c"};
  std::vector<SluiceProcess> running;
  for (const auto& node : nodes) {
    running.push_back(start_with_config(dir, queue_config(node, prefix, dir.file(node + ".out")),
                                        node + ".yaml"));
    expect_ready(running.back());
  }
  constexpr size_t kInputs = 6000, kHalf = kInputs / 2;
  auto publish = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i)
      client.publish(prefix + ".jobs", R"({"n":)" + std::to_string(i) + "}");
    client.flush();
  };
  std::vector<std::filesystem::path> outputs;
  for (const auto& node : nodes) outputs.push_back(dir.file(node + ".out"));
  std::vector<int> seen;
  auto count_seen = [&] { seen = count_numbered(outputs, kInputs); };
  auto seen_from = [&](size_t from) {
    count_seen();
    return static_cast<size_t>(std::count_if(seen.begin() + static_cast<long>(from), seen.end(),
                                             [](int times) { return times > 0; }));
  };

  publish(0, kHalf);
  ASSERT_TRUE(wait_until([&] { return count_lines(dir.file("node-b.out")) >= 100; },
                         std::chrono::seconds(30)))
      << running[1].output();
  ASSERT_TRUE(server_lists_client(prefix + "-node-b"));  // the check below can see it
  running[1].signal(SIGKILL);
  ASSERT_TRUE(running[1].wait(std::chrono::seconds(10)).has_value());
  ASSERT_TRUE(wait_until([&] { return !server_lists_client(prefix + "-node-b"); },
                         std::chrono::seconds(30)))
      << "nats-server still lists the killed node";
  publish(kHalf, kInputs);

  EXPECT_TRUE(
      wait_until([&] { return seen_from(kHalf) == kInputs - kHalf; }, std::chrono::seconds(60)))
      << "after the kill only " << seen_from(kHalf) << " of " << kInputs - kHalf << " arrived\n"
      << running[0].output() << running[2].output();
  EXPECT_EQ(running[0].stop(), 0) << running[0].output();
  EXPECT_EQ(running[2].stop(), 0) << running[2].output();

  count_seen();
  size_t duplicated = 0, lost_before_kill = 0;
  for (size_t i = 0; i < kInputs; ++i) {
    if (seen[i] > 1) duplicated += static_cast<size_t>(seen[i] - 1);
    if (seen[i] == 0) {
      EXPECT_LT(i, kHalf) << "message " << i << " was published after the kill and lost";
      ++lost_before_kill;
    }
  }
  EXPECT_EQ(duplicated, 0u);
  // Both survivors took part of the second half.
  auto second_half_on = [&](const std::string& node) {
    size_t n = 0;
    for (const auto& line : read_lines(dir.file(node + ".out")))
      if (auto i = numbered_payload(line); i && *i >= kHalf) ++n;
    return n;
  };
  EXPECT_GT(second_half_on("node-a"), 0u);
  EXPECT_GT(second_half_on("node-c"), 0u);
  std::cout << "[ measured ] queue group, three nodes, one killed: " << kInputs << " inputs, "
            << lost_before_kill << " lost (held by the killed node), 0 duplicated\n";
}

}  // namespace
}  // namespace sluice::test::nats
