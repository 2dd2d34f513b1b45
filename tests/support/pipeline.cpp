#include "support/pipeline.hpp"

#include <gtest/gtest.h>

#include "support/wait.hpp"

namespace sluice::test {

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

void expect_logged(Process& sluice, const std::string& needle, int count,
                   std::chrono::milliseconds timeout) {
  bool logged = wait_until(
      [&] {
        return count_occurrences(sluice.output(), needle) >= static_cast<size_t>(count) ||
               !sluice.running();
      },
      timeout);
  ASSERT_TRUE(logged && sluice.running())
      << "sluice did not log '" << needle << "' " << count << " time(s):\n"
      << sluice.output();
}

}  // namespace sluice::test
