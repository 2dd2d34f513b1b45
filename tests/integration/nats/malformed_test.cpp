// Malformed payloads from NATS reaching a JSON `where` rule: counted and
// dead-lettered, never fatal; good messages keep flowing around them.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::nats {
namespace {

TEST(NatsMalformed, GarbageAtAJsonRule_IsDeadLetteredAndTrafficContinues) {
  Client client(nats_url());
  TempDir dir;
  std::string prefix = unique_prefix("malformed");
  std::string out = dir.file("out.txt"), dead = dir.file("dead.txt");
  auto sluice = start_with_config(dir, config_header("node-m") + R"(
connectors:
  bus:
    plugin: nats
    url: )" + nats_url() + R"(
  out:
    plugin: file
    path: )" + out + R"(
    mode: sink
    batch_bytes: 1  # write (and confirm) each message at once
  dead:
    plugin: file
    path: )" + dead + R"(
    mode: sink
    batch_bytes: 1  # write (and confirm) each message at once
routes:
  - name: orders
    from: bus:)" + prefix + R"(.in
    where: {kind: order}
    to: out
    dead_letter: dead
)");
  expect_ready(sluice);
  for (int i = 0; i < 100; ++i) {
    client.publish(prefix + ".in", R"({"kind":"order","n":)" + std::to_string(i) + "}");
    if (i % 10 == 0) client.publish(prefix + ".in", "not json {" + std::to_string(i));
    if (i % 25 == 0) client.publish(prefix + ".in", R"({"kind":"other"})");
  }
  client.flush();
  auto lines = [](const std::string& p) {
    return std::filesystem::exists(p) ? read_lines(p).size() : 0u;
  };
  ASSERT_TRUE(
      wait_until([&] { return lines(out) >= 100 && lines(dead) >= 10; }, std::chrono::seconds(20)))
      << sluice.output();
  EXPECT_TRUE(sluice.running());
  EXPECT_EQ(lines(out), 100u);
  EXPECT_EQ(lines(dead), 10u);
  for (const auto& l : read_lines(dead)) EXPECT_EQ(l.rfind("not json {", 0), 0u) << l;
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

}  // namespace
}  // namespace sluice::test::nats
