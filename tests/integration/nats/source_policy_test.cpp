// A priority route whose primary is a NATS connector on a private
// nats-server and whose backup is a generator: stopping the server switches
// the route to the backup at once (the connector reports itself unhealthy;
// silence_ms is a minute, so nothing else could), and restarting it
// switches back, with every message of the primary delivered once.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "fixture.hpp"

namespace sluice::test::nats {
namespace {

struct Line {
  std::string src;
  int64_t n;
};

std::vector<Line> read_output(const std::string& path) {
  std::vector<Line> out;
  if (!std::filesystem::exists(path)) return out;
  for (const auto& text : read_lines(path)) {
    if (text.empty()) continue;
    auto v = boost::json::parse(text).as_object();
    out.push_back({std::string(v.at("src").as_string()), v.at("n").as_int64()});
  }
  return out;
}

std::optional<size_t> index_of(const std::vector<Line>& lines, int64_t primary_n) {
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i].src == "p" && lines[i].n == primary_n) return i;
  return std::nullopt;
}

size_t backups_between(const std::vector<Line>& lines, size_t from, size_t to) {
  size_t count = 0;
  for (size_t i = from; i < to && i < lines.size(); ++i) count += lines[i].src == "b";
  return count;
}

void publish(const std::string& url, const std::string& subject, int from, int to) {
  Client client(url);
  for (int n = from; n <= to; ++n)
    client.publish(subject, R"({"src":"p","n":)" + std::to_string(n) + "}");
  client.flush();
}

TEST(NatsSourcePolicy, BrokerStopped_RouteTakesTheBackupAndReturnsWhenItIsBack) {
  PrivateServer server;
  TempDir dir;
  const std::string subject = unique_prefix("policy") + ".in";
  const std::string out = dir.file("out.jsonl");
  auto sluice = start_with_config(dir, config_header("node-policy") + R"(
connectors:
  primary:
    plugin: nats
    url: )" + server.url() + R"(
    reconnect_wait_ms: 50
    reconnect_wait_max_ms: 400
  backup:
    plugin: generate
    rate: 200
    payload: '{"src":"b","n":${counter}}'
  out:
    plugin: file
    path: )" + out + R"(
    mode: sink
    batch_bytes: 1
routes:
  - name: feed
    from: { priority: ["primary:)" + subject +
                                           R"(", backup], silence_ms: 60000 }
    to: out
)");
  expect_ready(sluice);
  publish(server.url(), subject, 1, 50);
  ASSERT_TRUE(wait_until([&] { return index_of(read_output(out), 50).has_value(); },
                         std::chrono::seconds(15)))
      << sluice.output();

  server.stop();
  ASSERT_TRUE(wait_until(
      [&] {
        auto lines = read_output(out);
        return backups_between(lines, *index_of(lines, 50), lines.size()) >= 20;
      },
      std::chrono::seconds(15)))
      << "the backup should flow long before silence_ms\n"
      << sluice.output();

  server.start();
  ASSERT_TRUE(sluice.wait_for_output("reconnected to NATS server", std::chrono::seconds(15)))
      << sluice.output();
  // "reconnected" comes before the server has the subscription back: probe
  // until a message gets through.
  {
    Client probe(server.url());
    ASSERT_TRUE(wait_until(
        [&] {
          probe.publish(subject, R"({"src":"probe","n":0})");
          probe.flush();
          for (const auto& l : read_output(out))
            if (l.src == "probe") return true;
          return false;
        },
        std::chrono::seconds(15)))
        << sluice.output();
  }
  publish(server.url(), subject, 51, 100);
  ASSERT_TRUE(wait_until([&] { return index_of(read_output(out), 100).has_value(); },
                         std::chrono::seconds(15)))
      << sluice.output();
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();

  auto lines = read_output(out);
  for (int64_t n = 1; n <= 100; ++n) {
    size_t seen = 0;
    for (const auto& l : lines) seen += l.src == "p" && l.n == n;
    EXPECT_EQ(seen, 1u) << "primary message " << n;
  }
  const size_t p1 = *index_of(lines, 1), p50 = *index_of(lines, 50);
  const size_t p51 = *index_of(lines, 51), p100 = *index_of(lines, 100);
  EXPECT_EQ(backups_between(lines, p1, p50), 0u);
  EXPECT_GE(backups_between(lines, p50, p51), 20u);
  EXPECT_EQ(backups_between(lines, p51, p100), 0u);
  const std::string log = sluice.output();
  EXPECT_NE(log.find("route 'feed' now takes messages from 'backup' ('primary' reports itself "
                     "unhealthy)"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("route 'feed' now takes messages from 'primary'"), std::string::npos) << log;
}

}  // namespace
}  // namespace sluice::test::nats
