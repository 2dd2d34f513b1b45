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

// Waits until sluice logged `count` "RabbitMQ connector ready" lines; fails
// the test with its output otherwise.
inline void expect_ready(Process& sluice, int count = 1,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  expect_logged(sluice, "RabbitMQ connector ready", count, timeout);
}

// Reads every message from `queue` until `count` arrived or `timeout` passed.
std::vector<AmqpMessage> drain(AmqpClient& client, const std::string& queue, size_t count,
                               std::chrono::milliseconds timeout);

}  // namespace sluice::test::rabbitmq
