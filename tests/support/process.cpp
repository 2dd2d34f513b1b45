#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "support/wait.hpp"

extern char** environ;

namespace sluice::test {
namespace {

std::vector<std::string> child_environment(const Env& overrides,
                                           const std::vector<std::string>& unset) {
  Env merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view kv(*entry);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    merged.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  for (const auto& [name, value] : overrides) merged[name] = value;
  for (const auto& name : unset) merged.erase(name);
  std::vector<std::string> result;
  result.reserve(merged.size());
  for (const auto& [name, value] : merged) result.push_back(name + "=" + value);
  return result;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

// RAII for the two posix_spawn attribute objects.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

int status_from_wait(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return Process::signal_status(WTERMSIG(wait_status));
  return -1;
}

}  // namespace

Process::Process(std::vector<std::string> argv, Env env, ProcessOptions options)
    : argv_(std::move(argv)), logs_(std::make_unique<TempDir>()) {
  if (argv_.empty()) throw std::invalid_argument("Process: empty argv");
  stdout_path_ = logs_->file("output.log");
  if (options.split_stderr) stderr_path_ = logs_->file("stderr.log");

  SpawnSetup setup;
  int stdin_read_end = -1;
  if (options.stdin_pipe) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    stdin_read_end = fds[0];
    stdin_fd_ = fds[1];
    posix_spawn_file_actions_adddup2(&setup.actions, stdin_read_end, STDIN_FILENO);
  } else {
    const std::string& in = options.stdin_file.empty() ? "/dev/null" : options.stdin_file;
    posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, in.c_str(), O_RDONLY, 0);
  }
  const int out_flags = O_WRONLY | O_CREAT | O_TRUNC;
  int stdout_write_end = -1;
  if (!options.stdout_append_file.empty()) {
    posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO,
                                     options.stdout_append_file.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    const std::string& err = options.split_stderr ? stderr_path_ : stdout_path_;
    posix_spawn_file_actions_addopen(&setup.actions, STDERR_FILENO, err.c_str(), out_flags, 0644);
  } else if (options.stdout_pipe) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      close_stdin();
      if (stdin_read_end >= 0) ::close(stdin_read_end);
      throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    stdout_pipe_fd_ = fds[0];
    stdout_write_end = fds[1];
    posix_spawn_file_actions_adddup2(&setup.actions, stdout_write_end, STDOUT_FILENO);
    // The log file gets stderr alone.
    posix_spawn_file_actions_addopen(&setup.actions, STDERR_FILENO, stdout_path_.c_str(), out_flags,
                                     0644);
  } else {
    posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, stdout_path_.c_str(), out_flags,
                                     0644);
    if (options.split_stderr) {
      posix_spawn_file_actions_addopen(&setup.actions, STDERR_FILENO, stderr_path_.c_str(),
                                       out_flags, 0644);
    } else {
      posix_spawn_file_actions_adddup2(&setup.actions, STDOUT_FILENO, STDERR_FILENO);
    }
  }
  if (!options.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&setup.actions, options.cwd.c_str());
  }

  // The child starts with default signal handling and nothing blocked, whatever
  // the test runner did to its own signals.
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2}) {
    sigaddset(&defaults, sig);
  }
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  posix_spawnattr_setsigmask(&setup.attr, &empty);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> args = argv_;
  std::vector<std::string> envs = child_environment(env, options.unset_env);
  std::vector<char*> c_args = c_strings(args);
  std::vector<char*> c_envs = c_strings(envs);
  int rc =
      ::posix_spawnp(&pid_, c_args[0], &setup.actions, &setup.attr, c_args.data(), c_envs.data());
  if (stdin_read_end >= 0) ::close(stdin_read_end);
  // Only the child writes into the pipe: with our copy closed, the child is
  // its one writer.
  if (stdout_write_end >= 0) ::close(stdout_write_end);
  if (rc != 0) {
    pid_ = -1;
    close_stdin();
    release();
    throw std::runtime_error("cannot start " + argv_[0] + ": " + std::strerror(rc));
  }
}

Process::~Process() { release(); }

Process::Process(Process&& other) noexcept
    : argv_(std::move(other.argv_)),
      pid_(other.pid_),
      exit_status_(other.exit_status_),
      logs_(std::move(other.logs_)),
      stdout_path_(std::move(other.stdout_path_)),
      stderr_path_(std::move(other.stderr_path_)),
      stdin_fd_(other.stdin_fd_),
      stdout_pipe_fd_(other.stdout_pipe_fd_) {
  other.pid_ = -1;
  other.stdin_fd_ = -1;
  other.stdout_pipe_fd_ = -1;
}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    release();
    argv_ = std::move(other.argv_);
    pid_ = other.pid_;
    exit_status_ = other.exit_status_;
    logs_ = std::move(other.logs_);
    stdout_path_ = std::move(other.stdout_path_);
    stderr_path_ = std::move(other.stderr_path_);
    stdin_fd_ = other.stdin_fd_;
    stdout_pipe_fd_ = other.stdout_pipe_fd_;
    other.pid_ = -1;
    other.stdin_fd_ = -1;
    other.stdout_pipe_fd_ = -1;
  }
  return *this;
}

void Process::release() noexcept {
  close_stdin();
  if (pid_ > 0 && !exit_status_) {
    ::kill(pid_, SIGKILL);
    int wait_status = 0;
    while (::waitpid(pid_, &wait_status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
  if (stdout_pipe_fd_ >= 0) {
    ::close(stdout_pipe_fd_);
    stdout_pipe_fd_ = -1;
  }
}

bool Process::stdout_pipe_full() const {
  if (stdout_pipe_fd_ < 0 || pid_ <= 0) return false;
  // A write end of our own (the child's stdout, reopened): POLLOUT tells
  // whether the pipe has room. Counting unread bytes would not: partly
  // filled pages make a full pipe hold less than its capacity.
  std::string path = "/proc/" + std::to_string(pid_) + "/fd/1";
  int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  pollfd p{fd, POLLOUT, 0};
  bool full = ::poll(&p, 1, 0) == 0;
  ::close(fd);
  return full;
}

void Process::reap(int wait_status) { exit_status_ = status_from_wait(wait_status); }

bool Process::running() {
  if (pid_ <= 0 || exit_status_) return false;
  int wait_status = 0;
  pid_t r = ::waitpid(pid_, &wait_status, WNOHANG);
  if (r == pid_) {
    reap(wait_status);
    return false;
  }
  if (r < 0 && errno == ECHILD) {
    exit_status_ = -1;  // someone else reaped it; nothing more to learn
    return false;
  }
  return true;
}

void Process::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  wait_until([this] { return !running(); }, timeout, std::chrono::milliseconds(5));
  return exit_status_;
}

int Process::stop(std::chrono::milliseconds timeout) {
  signal(SIGTERM);
  if (auto status = wait(timeout)) return *status;
  signal(SIGKILL);
  // SIGKILL cannot be caught; a bounded wait is only a guard against the impossible.
  return wait(std::chrono::seconds(30)).value_or(-1);
}

std::string Process::output() const {
  try {
    return read_file(stdout_path_);
  } catch (const std::exception&) {
    return "";
  }
}

std::string Process::error_output() const {
  if (stderr_path_.empty()) return "";
  try {
    return read_file(stderr_path_);
  } catch (const std::exception&) {
    return "";
  }
}

bool Process::wait_for_output(std::string_view needle, std::chrono::milliseconds timeout) {
  bool found = false;
  wait_until(
      [&] {
        found = output().find(needle) != std::string::npos;
        return found || !running();
      },
      timeout);
  return found || output().find(needle) != std::string::npos;
}

void Process::write_stdin(std::string_view data) {
  if (stdin_fd_ < 0) throw std::logic_error("write_stdin: " + describe() + " has no stdin pipe");
  // A child that exited must surface as an error here, not kill the test with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  while (!data.empty()) {
    ssize_t n = ::write(stdin_fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "write to stdin of " + describe());
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void Process::close_stdin() {
  if (stdin_fd_ >= 0) {
    ::close(stdin_fd_);
    stdin_fd_ = -1;
  }
}

std::string Process::describe() const {
  std::string text;
  for (const auto& arg : argv_) text += (text.empty() ? "" : " ") + arg;
  return text + " (pid " + std::to_string(pid_) + ")";
}

int run_command(const std::vector<std::string>& argv, const Env& env, std::string* output,
                std::chrono::milliseconds timeout) {
  Process process(argv, env);
  std::optional<int> status = process.wait(timeout);
  if (!status) process.stop(std::chrono::seconds(2));
  if (output) {
    *output = process.output();
    if (!status) *output += "\n[sluice-test] timed out: " + process.describe() + "\n";
  }
  return status.value_or(-1);
}

}  // namespace sluice::test
