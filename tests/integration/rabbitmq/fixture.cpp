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

std::string config_header(const std::string& node_id) {
  return "node_id: " + node_id +
         "\nworkers: 2\nadmin: {enabled: false}\nshutdown_timeout_ms: 10000\n";
}

SluiceProcess start_with_config(const TempDir& dir, const std::string& yaml,
                                const std::string& file) {
  std::string path = dir.file(file);
  write_file(path, yaml);
  return SluiceProcess::run(path);
}

size_t count_occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + needle.size()))
    ++n;
  return n;
}

void expect_ready(Process& sluice, int count, std::chrono::milliseconds timeout) {
  bool ready = wait_until(
      [&] {
        return count_occurrences(sluice.output(), "RabbitMQ connector ready") >=
                   static_cast<size_t>(count) ||
               !sluice.running();
      },
      timeout);
  ASSERT_TRUE(ready && sluice.running()) << "sluice did not get ready:\n" << sluice.output();
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
