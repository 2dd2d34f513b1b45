// Running sluice against NATS in the integration tests: write a config,
// start `sluice run`, wait until the NATS connectors said they are ready.
#pragma once

#include <chrono>
#include <string>

#include "nats_client.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::nats {

// Waits until `ready_count` NATS connectors logged that they are ready;
// fails the test with sluice's output otherwise.
inline void expect_ready(Process& sluice, int ready_count = 1,
                         std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  expect_logged(sluice, "NATS connector ready", ready_count, timeout);
}

// Sends `{"command":"status"}` to a control subject; the parsed reply, or
// an empty string on timeout.
std::string status_request(Client& client, const std::string& subject,
                           std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace sluice::test::nats
