// Running sluice against NATS in the integration tests (see fixture.hpp).
#include "fixture.hpp"

#include <gtest/gtest.h>

namespace sluice::test::nats {

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

void expect_ready(Process& sluice, int ready_count, std::chrono::milliseconds timeout) {
  bool ready = wait_until(
      [&] {
        return count_occurrences(sluice.output(), "NATS connector ready") >=
                   static_cast<size_t>(ready_count) ||
               !sluice.running();
      },
      timeout);
  ASSERT_TRUE(ready && sluice.running()) << "sluice did not get ready:\n" << sluice.output();
}

std::string status_request(Client& client, const std::string& subject,
                           std::chrono::milliseconds timeout) {
  auto reply = client.request(subject, R"({"command":"status"})", timeout);
  return reply ? reply->payload : std::string();
}

}  // namespace sluice::test::nats
