// A child process for tests: spawned with posix_spawn, its stdout and stderr
// captured to files, waited on with timeouts, and never left behind (the
// destructor SIGKILLs it if it is still running).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/files.hpp"

namespace sluice::test {

// Variables added to (or overriding) the test's own environment for a child.
using Env = std::map<std::string, std::string>;

struct ProcessOptions {
  std::string cwd{};                     // empty: the test's working directory
  std::vector<std::string> unset_env{};  // variables removed from the child's environment
  bool split_stderr = false;             // stderr apart from stdout: see error_output()
  bool stdin_pipe = false;               // feed stdin with write_stdin()/close_stdin()
  std::string stdin_file{};              // else stdin reads this file (default /dev/null)
  // stdout appends to this file (as `>> file` does) instead of being
  // captured; output() then holds stderr only.
  std::string stdout_append_file{};
  // stdout into a pipe whose read end the test holds (stdout_pipe_fd()):
  // to read it, or never to read it (a stuck consumer). output() then
  // holds stderr only.
  bool stdout_pipe = false;
};

class Process {
 public:
  // Exit status of a process killed by signal `sig` (as a shell reports it).
  static constexpr int signal_status(int sig) { return 128 + sig; }

  // Starts argv[0] (searched in PATH) with the test's environment plus `env`.
  // Throws std::runtime_error if it cannot be started.
  explicit Process(std::vector<std::string> argv, Env env = {}, ProcessOptions options = {});
  ~Process();
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  // False once the process has exited (and then it has been reaped).
  bool running();
  // Sends `sig` to the process if it is still running.
  void signal(int sig);
  // Exit status once it has exited within `timeout`: the exit code, or
  // signal_status(sig) if a signal killed it. nullopt if still running.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL if it has not exited after `timeout`. Returns the exit status.
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Captured stdout (and stderr, unless split_stderr) so far.
  std::string output() const;
  // Captured stderr so far when split_stderr was set, else "".
  std::string error_output() const;
  // Waits until output() contains `needle`; false on timeout or early exit.
  bool wait_for_output(std::string_view needle, std::chrono::milliseconds timeout);
  const std::string& log_path() const { return stdout_path_; }
  // The read end of the stdout_pipe (-1 without one); closed with the Process.
  int stdout_pipe_fd() const { return stdout_pipe_fd_; }
  // True while the stdout_pipe has no room left (a writer would wait).
  bool stdout_pipe_full() const;

  void write_stdin(std::string_view data);  // requires stdin_pipe
  void close_stdin();

  // "prog arg1 arg2 (pid N)": for failure messages.
  std::string describe() const;

 private:
  void reap(int wait_status);
  void release() noexcept;

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::unique_ptr<TempDir> logs_;
  std::string stdout_path_;
  std::string stderr_path_;
  int stdin_fd_ = -1;
  int stdout_pipe_fd_ = -1;
};

// Runs argv to completion. Returns its exit status (as Process::wait), or -1
// if it did not finish within `timeout` (it is then killed). The captured
// output goes to *output when output is not null.
int run_command(const std::vector<std::string>& argv, const Env& env = {},
                std::string* output = nullptr,
                std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace sluice::test
