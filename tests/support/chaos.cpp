// The crash harness (see chaos.hpp).
#include "support/chaos.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "support/files.hpp"
#include "support/wait.hpp"

namespace sluice::test {

namespace {

using namespace std::chrono_literals;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

void count_outputs(const ChaosScenario& scenario, ChaosResult& result) {
  std::vector<int> seen(scenario.inputs, 0);
  auto outputs = scenario.outputs();
  result.outputs = outputs.size();
  result.corrupt = 0;
  for (const auto& output : outputs) {
    auto n = scenario.input_number(output);
    if (!n || *n >= scenario.inputs)
      ++result.corrupt;
    else
      ++seen[*n];
  }
  result.lost = result.duplicated = 0;
  for (int times : seen) {
    if (times == 0) ++result.lost;
    if (times > 1) result.duplicated += static_cast<size_t>(times - 1);
  }
}

}  // namespace

ChaosSettings ChaosSettings::from_env(int default_kills) {
  ChaosSettings s;
  s.kills = env_int("SLUICE_CHAOS_KILLS", default_kills);
  const char* seed = std::getenv("SLUICE_CHAOS_SEED");
  s.seed = seed && *seed ? std::strtoull(seed, nullptr, 10) : std::random_device{}();
  return s;
}

std::string ChaosResult::summary() const {
  char line[512];
  std::snprintf(line, sizeof line,
                "%s: %d kills, %zu inputs, %zu outputs: %zu lost, %zu duplicated, %zu corrupt "
                "(seed %llu)",
                name.c_str(), kills, inputs, outputs, lost, duplicated, corrupt,
                static_cast<unsigned long long>(seed));
  return line;
}

ChaosResult run_chaos(const ChaosScenario& scenario, const ChaosSettings& settings) {
  ChaosResult result;
  result.name = scenario.name;
  result.seed = settings.seed;
  result.inputs = scenario.inputs;
  std::mt19937_64 rng(settings.seed);

  for (int i = 0; i < settings.kills; ++i) {
    size_t base = scenario.progress();
    if (base >= scenario.inputs) break;  // everything went through before all kills
    Process run = scenario.start();
    // One kill in four lands at a random moment of the first 300 ms (start-up,
    // recovery, reconnection); the others after a random share of what is left.
    if (rng() % 4 == 0) {
      auto at = std::chrono::milliseconds(rng() % 300);
      wait_until([&] { return !run.running(); }, at);
    } else {
      size_t left = scenario.inputs - base;
      size_t step =
          1 + rng() % std::max<size_t>(1, left / static_cast<size_t>(settings.kills - i + 1));
      bool moved = wait_until([&] { return scenario.progress() >= base + step || !run.running(); },
                              settings.run_timeout, 2ms);
      if (!moved) {
        result.failure = "run " + std::to_string(i + 1) + " made no progress:\n" + run.output();
        return result;
      }
    }
    if (!run.running()) {
      result.failure = "run " + std::to_string(i + 1) + " exited by itself:\n" + run.output();
      return result;
    }
    run.signal(SIGKILL);
    run.wait(30s);
    ++result.kills;
  }

  Process last = scenario.start();
  // Stopped only once it runs: when the runs before delivered everything,
  // the checks below hold at once, and a SIGTERM before sluice blocks the
  // signal would end it with 143 instead of a drain.
  last.wait_for_output("running:", settings.finish_timeout);
  wait_until(
      [&] {
        if (!last.running()) return true;
        if (scenario.progress() < scenario.inputs) return false;
        count_outputs(scenario, result);
        return result.lost == 0 && (!scenario.settled || scenario.settled());
      },
      settings.finish_timeout, 200ms);
  int status = last.stop(std::chrono::seconds(60));
  count_outputs(scenario, result);
  result.settled = !scenario.settled || scenario.settled();
  if (status != 0)
    result.failure = "the last run exited with " + std::to_string(status) + ":\n" + last.output();
  else if (result.lost > 0)
    result.failure = "the last run did not deliver everything:\n" + last.output();
  else if (!result.settled)
    result.failure =
        "the source still had unacknowledged messages when the last run stopped:\n" + last.output();
  std::printf("chaos: %s\n", result.summary().c_str());
  return result;
}

void expect_at_least_once(const ChaosResult& result) {
  EXPECT_EQ(result.failure, "");
  EXPECT_EQ(result.lost, 0u) << result.summary();
  EXPECT_EQ(result.corrupt, 0u) << result.summary();
  ::testing::Test::RecordProperty("chaos", result.summary());
}

std::optional<size_t> numbered_payload(std::string_view output) {
  boost::system::error_code ec;
  auto v = boost::json::parse(output, ec);
  if (ec) return std::nullopt;
  const boost::json::value* n = nullptr;
  if (auto* o = v.if_object()) {
    if (auto* data = o->if_contains("data"); data && data->is_object())
      n = data->as_object().if_contains("n");
    if (!n) n = o->if_contains("n");
  }
  if (!n || !n->is_int64() || n->as_int64() < 0) return std::nullopt;
  return static_cast<size_t>(n->as_int64());
}

std::vector<int> count_numbered(const std::vector<std::filesystem::path>& files, size_t inputs) {
  std::vector<int> seen(inputs, 0);
  for (const auto& file : files)
    if (std::filesystem::exists(file))
      for (const auto& line : read_lines(file))
        if (auto n = numbered_payload(line); n && *n < inputs) ++seen[*n];
  return seen;
}

}  // namespace sluice::test
