// Source policies through the real binary, with file sources whose pace the
// test sets: a priority route takes the primary while it delivers, the
// backup once the primary falls silent, and the primary again when it
// speaks; with standby: pause the backup loses nothing while it waits; a
// round_robin route takes its sources a batch at a time.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <thread>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

struct Line {
  std::string src;
  int64_t n;
};

std::vector<Line> read_output(const std::string& path) {
  std::vector<Line> out;
  if (!std::filesystem::exists(path)) return out;  // nothing written yet
  for (const auto& text : read_lines(path)) {
    if (text.empty()) continue;
    auto v = boost::json::parse(text).as_object();
    out.push_back({std::string(v.at("src").as_string()), v.at("n").as_int64()});
  }
  return out;
}

std::string numbered(const std::string& src, int64_t from, int64_t to) {
  std::string text;
  for (int64_t n = from; n <= to; ++n)
    text += R"({"src":")" + src + R"(","n":)" + std::to_string(n) + "}\n";
  return text;
}

// Where line `n` of `src` is in the output.
std::optional<size_t> index_of(const std::vector<Line>& lines, const std::string& src, int64_t n) {
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i].src == src && lines[i].n == n) return i;
  return std::nullopt;
}

size_t count_between(const std::vector<Line>& lines, const std::string& src, size_t from,
                     size_t to) {
  size_t count = 0;
  for (size_t i = from; i < to && i < lines.size(); ++i) count += lines[i].src == src;
  return count;
}

// Appends lines `from`..`to` of `src` one by one, `every` apart.
void trickle(const std::string& path, const std::string& src, int64_t from, int64_t to,
             std::chrono::milliseconds every) {
  for (int64_t n = from; n <= to; ++n) {
    append_file(path, numbered(src, n, n));
    std::this_thread::sleep_for(every);
  }
}

std::string header(const TempDir& dir) {
  return "admin: { enabled: false }\nworkers: 1\nstate_dir: " + dir.path().string() +
         "\nconnectors:\n  out: { plugin: file, mode: sink, path: " + dir.file("out.jsonl") +
         ", flush_interval_ms: 1 }\n";
}

std::string followed(const std::string& name, const std::string& path) {
  return "  " + name + ": { plugin: file, mode: source, path: " + path +
         ", follow: true, poll_interval_ms: 20 }\n";
}

TEST(SourcePolicy, PriorityTakesTheBackupWhileThePrimaryIsSilentAndSwitchesBack) {
  TempDir dir;
  const std::string primary = dir.file("primary.jsonl");
  write_file(primary, numbered("p", 1, 5));
  write_file(
      dir.file("sluice.yaml"),
      header(dir) + followed("primary", primary) +
          "  backup: { plugin: generate, rate: 200, payload: '{\"src\":\"b\",\"n\":${counter}}' }\n"
          "routes:\n"
          "  - name: feed\n"
          "    from: { priority: [primary, backup], silence_ms: 1500 }\n"
          "    to: out\n");
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--log-level", "debug"});
  const std::string out = dir.file("out.jsonl");
  ASSERT_TRUE(wait_until([&] { return index_of(read_output(out), "p", 5).has_value(); }, 30s))
      << sluice.output();
  trickle(primary, "p", 6, 30, 50ms);
  // The primary falls silent: after silence_ms the backup's messages flow.
  ASSERT_TRUE(wait_until(
      [&] {
        auto lines = read_output(out);
        auto last = index_of(lines, "p", 30);
        return last && count_between(lines, "b", *last, lines.size()) >= 20;
      },
      30s))
      << sluice.output();
  // It speaks again: taken at once, and the backup is dropped again.
  trickle(primary, "p", 31, 50, 50ms);
  ASSERT_TRUE(wait_until([&] { return index_of(read_output(out), "p", 50).has_value(); }, 30s));
  sluice.stop();

  auto lines = read_output(out);
  for (int64_t n = 1; n <= 50; ++n) {
    size_t seen = 0;
    for (const auto& l : lines) seen += l.src == "p" && l.n == n;
    EXPECT_EQ(seen, 1u) << "primary line " << n << ": nothing from the active source is lost";
  }
  const size_t p1 = *index_of(lines, "p", 1), p30 = *index_of(lines, "p", 30);
  const size_t p31 = *index_of(lines, "p", 31), p50 = *index_of(lines, "p", 50);
  EXPECT_EQ(count_between(lines, "b", p1, p30), 0u)
      << "the backup is dropped while the primary delivers";
  EXPECT_GE(count_between(lines, "b", p30, p31), 20u);
  EXPECT_EQ(count_between(lines, "b", p31, p50), 0u) << "back on the primary from its first line";
  const std::string log = sluice.output();
  EXPECT_NE(log.find("route 'feed' now takes messages from 'backup' ('primary' sent nothing for"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("route 'feed' now takes messages from 'primary' ('primary' comes before "
                     "'backup' and is live again)"),
            std::string::npos)
      << log;
}

TEST(SourcePolicy, StandbyPauseHoldsTheBackupBackAndLosesNothing) {
  TempDir dir;
  const std::string primary = dir.file("primary.jsonl");
  write_file(primary, numbered("p", 1, 5));
  write_file(dir.file("backup.jsonl"), numbered("b", 1, 500));
  write_file(dir.file("sluice.yaml"),
             header(dir) + followed("primary", primary) +
                 followed("backup", dir.file("backup.jsonl")) +
                 "routes:\n"
                 "  - name: feed\n"
                 "    from: { fallback: [primary, backup], silence_ms: 800, standby: pause }\n"
                 "    to: out\n");
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));
  const std::string out = dir.file("out.jsonl");
  ASSERT_TRUE(wait_until([&] { return index_of(read_output(out), "p", 5).has_value(); }, 30s))
      << sluice.output();
  trickle(primary, "p", 6, 25, 50ms);
  // Silent now: the backup's whole file follows, every line once, in order.
  ASSERT_TRUE(wait_until([&] { return index_of(read_output(out), "b", 500).has_value(); }, 30s))
      << sluice.output();
  sluice.stop();

  auto lines = read_output(out);
  ASSERT_EQ(lines.size(), 525u);
  for (size_t i = 0; i < 25; ++i) {
    EXPECT_EQ(lines[i].src, "p") << i << ": the backup waited while the primary delivered";
    EXPECT_EQ(lines[i].n, static_cast<int64_t>(i + 1));
  }
  for (size_t i = 25; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].src, "b");
    EXPECT_EQ(lines[i].n, static_cast<int64_t>(i - 24));
  }
}

TEST(SourcePolicy, RoundRobinTakesEachSourceABatchAtATime) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), numbered("a", 1, 300));
  write_file(dir.file("b.jsonl"), numbered("b", 1, 300));
  write_file(dir.file("sluice.yaml"),
             header(dir) + "  a: { plugin: file, mode: source, path: " + dir.file("a.jsonl") +
                 " }\n" + "  b: { plugin: file, mode: source, path: " + dir.file("b.jsonl") +
                 " }\n" +
                 "routes:\n"
                 "  - from: { round_robin: [a, b], batch: 10, silence_ms: 2000 }\n"
                 "    to: out\n");
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"});
  ASSERT_TRUE(sluice.wait(60s).has_value()) << sluice.output();
  auto lines = read_output(dir.file("out.jsonl"));
  ASSERT_EQ(lines.size(), 600u) << "nothing lost while a source waited for its turn";
  // Until one of them has nothing left, the output alternates in runs of at
  // most one batch (a plain merge races the two readers: runs of hundreds).
  size_t first_done = std::min(*index_of(lines, "a", 300), *index_of(lines, "b", 300));
  size_t run = 1, longest = 1, runs = 1;
  for (size_t i = 1; i <= first_done; ++i) {
    run = lines[i].src == lines[i - 1].src ? run + 1 : 1;
    runs += run == 1;
    longest = std::max(longest, run);
  }
  EXPECT_LE(longest, 10u);
  EXPECT_GE(runs, 40u);
}

std::string check_output(const TempDir& dir, const std::string& routes) {
  write_file(dir.file("sluice.yaml"),
             "connectors:\n"
             "  a: { plugin: generate }\n"
             "  b: { plugin: generate }\n"
             "  out: { plugin: \"null\" }\n"
             "routes:\n" +
                 routes);
  std::string output;
  EXPECT_NE(run_sluice({"check", "-c", dir.file("sluice.yaml")}, &output), 0) << routes;
  return output;
}

TEST(SourcePolicy, CheckExplainsBadPolicies) {
  TempDir dir;
  auto shared = check_output(dir,
                             "  - name: feed\n"
                             "    from: { priority: [a, b], standby: pause }\n"
                             "    to: out\n"
                             "  - name: audit\n"
                             "    from: b\n"
                             "    to: out\n");
  EXPECT_NE(shared.find("standby: pause holds 'b' back while it is on standby, but route 'audit' "
                        "reads it too"),
            std::string::npos)
      << shared;
  auto unknown = check_output(dir, "  - from: { priority: [a, c] }\n    to: out\n");
  EXPECT_NE(unknown.find("routes[0].from.priority: unknown connector 'c'"), std::string::npos)
      << unknown;
  auto silence = check_output(dir, "  - from: { priority: [a, b], silence_ms: -1 }\n    to: out\n");
  EXPECT_NE(silence.find("silence_ms: expected whole milliseconds"), std::string::npos) << silence;
}

}  // namespace
}  // namespace sluice::test
