// Running `sluice run` on a config the test writes, and waiting for what it
// logs: shared by the broker plugins' integration tests.
#pragma once

#include <chrono>
#include <string>

#include "support/files.hpp"
#include "support/process.hpp"
#include "support/sluice_process.hpp"

namespace sluice::test {

// The lines every broker test config starts with: node id, two workers, no
// admin listener, a shutdown timeout that outlasts the tests' drains.
std::string config_header(const std::string& node_id);

// Writes `yaml` to dir/<file> and starts `sluice run` on it.
SluiceProcess start_with_config(const TempDir& dir, const std::string& yaml,
                                const std::string& file = "sluice.yaml");

// How many times `needle` occurs in `text`.
size_t count_occurrences(const std::string& text, const std::string& needle);

// Waits until sluice logged `needle` `count` times; fails the test with its
// output if it did not in `timeout` or exited first.
void expect_logged(Process& sluice, const std::string& needle, int count,
                   std::chrono::milliseconds timeout);

}  // namespace sluice::test
