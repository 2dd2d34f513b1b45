// Crashing a process on purpose while it writes a file: the way tests check
// that a kill -9 at any moment leaves output that a restart continues well.
#pragma once

#include <csignal>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include "support/process.hpp"
#include "support/wait.hpp"

namespace sluice::test {

// Size of `path` in bytes; 0 while it does not exist.
inline std::uintmax_t file_size_or_zero(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

// How often `needle` stands in `text` (e.g. a warning in the logs of the
// restarted runs).
inline size_t occurrences(std::string_view text, std::string_view needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size()))
    ++count;
  return count;
}

struct CrashLoop {
  std::string failure;  // "" when every run was killed while writing
  std::string logs;     // the output of every killed run, in order
};

// `kills` times: starts a process with `start`, waits until `output` grew by
// `growth_bytes` over its size at that start (polling every millisecond, so
// the kill often lands in the middle of a write), then SIGKILLs it. A run
// that exits by itself or does not grow the file within `timeout` ends the
// loop with a failure that carries its output.
inline CrashLoop kill_while_writing(const std::function<Process()>& start,
                                    const std::filesystem::path& output, int kills,
                                    std::uintmax_t growth_bytes,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  CrashLoop loop;
  for (int i = 0; i < kills; ++i) {
    std::uintmax_t target = file_size_or_zero(output) + growth_bytes;
    Process process = start();
    bool grew =
        wait_until([&] { return file_size_or_zero(output) >= target || !process.running(); },
                   timeout, std::chrono::milliseconds(1));
    if (!grew || !process.running()) {
      loop.failure = "run " + std::to_string(i + 1) + " " +
                     (grew ? "exited by itself" : "did not write in time") + " before its kill:\n" +
                     process.output();
      return loop;
    }
    process.signal(SIGKILL);
    process.wait(std::chrono::seconds(30));
    loop.logs += process.output();
  }
  return loop;
}

}  // namespace sluice::test
