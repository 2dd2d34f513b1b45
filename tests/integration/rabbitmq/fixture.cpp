// Running sluice against RabbitMQ in the integration tests (see fixture.hpp).
#include "fixture.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace sluice::test::rabbitmq {

std::string unique_name(const std::string& name) {
  static std::atomic<int> counter{0};
  return name + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

std::vector<AmqpMessage> drain(AmqpClient& client, const std::string& queue, size_t count,
                               std::chrono::milliseconds timeout) {
  std::vector<AmqpMessage> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    auto m = client.get(queue);
    if (m)
      out.push_back(std::move(*m));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling an empty queue
  }
  return out;
}

}  // namespace sluice::test::rabbitmq
