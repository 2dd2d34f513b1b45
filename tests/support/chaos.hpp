// The crash harness: one driver for every durable source and sink. It runs
// a pipeline, SIGKILLs sluice at random moments (mid-stream, and sometimes
// while it is still starting or recovering), restarts it, lets the last run
// finish, and counts what the outputs hold against the inputs: lost,
// duplicated and corrupt. Each plugin's integration tests give it a
// scenario (how to start sluice, how to read the outputs); ctest runs a few
// kills, `scripts/chaos.sh` many (SLUICE_CHAOS_KILLS).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.hpp"

namespace sluice::test {

struct ChaosSettings {
  int kills = 5;
  uint64_t seed = 0;  // the kill moments; printed, so a run can be repeated
  std::chrono::milliseconds run_timeout{60'000};      // for one killed run to progress
  std::chrono::milliseconds finish_timeout{180'000};  // for the last run to deliver everything
  // SLUICE_CHAOS_KILLS (else `default_kills`) and SLUICE_CHAOS_SEED (else random).
  static ChaosSettings from_env(int default_kills);
};

struct ChaosScenario {
  std::string name;   // e.g. "rabbitmq -> file"
  size_t inputs = 0;  // inputs numbered 0..inputs-1, all in the source before the first run
  std::function<Process()> start;  // sluice on the scenario's config
  // Outputs so far, duplicates included (cheap: polled every few ms).
  std::function<size_t()> progress;
  // Every output so far.
  std::function<std::vector<std::string>()> outputs;
  // The input an output carries; nothing when it is not one (corrupt).
  std::function<std::optional<size_t>(std::string_view)> input_number;
  // Optional: the source has nothing left to acknowledge or redeliver (a
  // durable consumer's pending count is zero). The last run goes on until
  // this holds too, so a message the killed run wrote but never acked gets
  // its redelivery and ack before the run stops; `settled` is then false in
  // the result when it never held.
  std::function<bool()> settled = nullptr;
};

struct ChaosResult {
  std::string name;
  int kills = 0;
  uint64_t seed = 0;
  size_t inputs = 0, outputs = 0, lost = 0, duplicated = 0, corrupt = 0;
  bool settled = true;  // the scenario's `settled` held when the last run stopped
  std::string failure;  // a run that exited by itself or stalled, with its output
  // "rabbitmq -> file: 5 kills, 20000 inputs, 20113 outputs: 0 lost, 113
  // duplicated, 0 corrupt (seed 42)"
  std::string summary() const;
};

// Runs `scenario` under `settings`; the test then asserts on the counts
// (at-least-once: lost == 0 and corrupt == 0). The summary is printed as a
// line starting "chaos: " for scripts/chaos.sh.
ChaosResult run_chaos(const ChaosScenario& scenario, const ChaosSettings& settings);

// The at-least-once verdict on a run, as gtest expectations: no failure,
// nothing lost, nothing corrupt (duplicates are allowed and reported); the
// summary goes into the test's XML report as the property "chaos".
void expect_at_least_once(const ChaosResult& result);

// The JSON number field `"n":<digits>` in an output (numbered_json_lines'
// shape and most scenarios' payloads); nothing when absent or not JSON.
std::optional<size_t> numbered_payload(std::string_view output);

// How many times each number n < `inputs` appears (numbered_payload) in the
// lines of `files` together: the tally of a run over several nodes' outputs.
// A file not written yet counts nothing.
std::vector<int> count_numbered(const std::vector<std::filesystem::path>& files, size_t inputs);

}  // namespace sluice::test
