// Running sluice against RabbitMQ in the integration tests: unique names,
// a config header, `sluice run` started and waited for, queue polling.
#pragma once

#include <chrono>
#include <string>

#include "amqp_client.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::rabbitmq {

// "<name>-<pid>-<counter>": queues and exchanges no other test run shares.
std::string unique_name(const std::string& name);

// The lines every test config starts with.
std::string config_header(const std::string& node_id);

// Writes `yaml` to dir/<file> and starts `sluice run` on it.
SluiceProcess start_with_config(const TempDir& dir, const std::string& yaml,
                                const std::string& file = "sluice.yaml");

// Waits until sluice logged `count` "RabbitMQ connector ready" lines; fails
// the test with its output otherwise.
void expect_ready(Process& sluice, int count = 1,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

size_t count_occurrences(const std::string& text, const std::string& needle);

// Reads every message from `queue` until `count` arrived or `timeout` passed.
std::vector<AmqpMessage> drain(AmqpClient& client, const std::string& queue, size_t count,
                               std::chrono::milliseconds timeout);

}  // namespace sluice::test::rabbitmq
