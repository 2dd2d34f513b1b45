// Running sluice against NATS in the integration tests: write a config,
// start `sluice run`, wait until the NATS connectors said they are ready.
#pragma once

#include <chrono>
#include <string>

#include "nats_client.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::nats {

// The lines every test config starts with.
std::string config_header(const std::string& node_id);

// Writes `yaml` to dir/<file> and starts `sluice run` on it.
SluiceProcess start_with_config(const TempDir& dir, const std::string& yaml,
                                const std::string& file = "sluice.yaml");

// Waits until `ready_count` NATS connectors logged that they are ready;
// fails the test with sluice's output otherwise.
void expect_ready(Process& sluice, int ready_count = 1,
                  std::chrono::milliseconds timeout = std::chrono::seconds(20));

// How many times `needle` occurs in `text`.
size_t count_occurrences(const std::string& text, const std::string& needle);

// Sends `{"command":"status"}` to a control subject; the parsed reply, or
// an empty string on timeout.
std::string status_request(Client& client, const std::string& subject,
                           std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace sluice::test::nats
