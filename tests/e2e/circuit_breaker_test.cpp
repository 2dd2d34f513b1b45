// A connector's circuit breaker through the real binary: a sink whose every
// write fails (/dev/full) opens its circuit after three failed attempts, and
// from then on messages go to the route's dead letter at once, with the
// reason, instead of each waiting out its retries.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <sstream>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

std::string config(const TempDir& dir, const std::string& circuit) {
  return R"(admin: { enabled: false }
workers: 1
connectors:
  events:
    plugin: generate
    count: 300
    rate: 3000
    payload: '{"seq":${counter}}'
  primary:
    plugin: file
    mode: sink
    path: /dev/full
    flush_interval_ms: 1
    retry: { max_attempts: 3, initial_backoff_ms: 20, max_backoff_ms: 40 }
)" + circuit +
         R"(  dlq: { plugin: file, mode: sink, path: )" + dir.file("dlq.jsonl") +
         R"(, format: json }
routes:
  - from: events
    to: primary
    dead_letter: dlq
)";
}

struct DeadLetters {
  std::set<int64_t> seqs;
  size_t circuit_open = 0;  // dead letters whose error names the open circuit
};

DeadLetters read_dead_letters(const std::string& path) {
  DeadLetters out;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto record = boost::json::parse(line).as_object();
    out.seqs.insert(record.at("payload").at("seq").as_int64());
    const auto& headers = record.at("headers").as_object();
    if (auto* e = headers.if_contains("sluice-error");
        e && std::string(e->as_string()).find("circuit open after 3 failed") != std::string::npos)
      ++out.circuit_open;
  }
  return out;
}

TEST(CircuitBreaker, OpenCircuitSendsToTheDeadLetterAtOnceWithTheReason) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"),
             config(dir, "    circuit_breaker: { failures: 3, open_ms: 60000 }\n"));
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"});
  auto status = sluice.wait(120s);
  ASSERT_TRUE(status.has_value()) << sluice.output();
  auto dead = read_dead_letters(dir.file("dlq.jsonl"));
  EXPECT_EQ(dead.seqs.size(), 300u) << "every message reached the dead letter";
  // The messages in flight when it opened waited out their retries; the
  // rest failed fast.
  EXPECT_GE(dead.circuit_open, 250u);
  EXPECT_NE(sluice.output().find("circuit open after 3 failed publishes in a row"),
            std::string::npos)
      << sluice.output();
}

TEST(CircuitBreaker, WithoutItEveryMessageWaitsOutItsRetries) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"), config(dir, ""));
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"});
  ASSERT_TRUE(sluice.wait(120s).has_value()) << sluice.output();
  auto dead = read_dead_letters(dir.file("dlq.jsonl"));
  EXPECT_EQ(dead.seqs.size(), 300u);
  EXPECT_EQ(dead.circuit_open, 0u);
}

}  // namespace
}  // namespace sluice::test
