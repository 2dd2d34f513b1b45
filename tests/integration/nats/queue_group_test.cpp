// Two sluice processes in one NATS queue group share a subject: every
// message is handled by exactly one of them.
#include <gtest/gtest.h>

#include <map>

#include "fixture.hpp"

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

}  // namespace
}  // namespace sluice::test::nats
