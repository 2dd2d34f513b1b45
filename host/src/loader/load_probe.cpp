#include "loader/load_probe.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace sluice::loader {
namespace {

// The child: after each dlopen (loaded or not) one byte to `report_fd`, so
// the parent can tell how far it got before it died. Never returns.
[[noreturn]] void load_in_child(const std::vector<std::string>& files, size_t first, int mode,
                                int report_fd) {
  // Whatever a library prints to stdout must not mix into `plugins --json`.
  int null_fd = ::open("/dev/null", O_WRONLY);
  if (null_fd >= 0) ::dup2(null_fd, STDOUT_FILENO);
  for (size_t i = first; i < files.size(); ++i) {
    ::dlopen(files[i].c_str(), mode);
    char done = 'k';
    while (::write(report_fd, &done, 1) < 0 && errno == EINTR) {
    }
  }
  // _exit: no atexit handlers, no stdio flush of the parent's buffers.
  ::_exit(0);
}

std::string death_reason(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return "crashed while loading (signal " + std::to_string(sig) + ", " + ::strsignal(sig) +
           "); skipped";
  }
  return "ended the process (exit status " + std::to_string(WEXITSTATUS(status)) +
         ") while loading; skipped";
}

}  // namespace

std::map<std::string, std::string> files_that_crash_when_loaded(
    const std::vector<std::string>& files, int dlopen_mode) {
  std::map<std::string, std::string> crashed;
  size_t next = 0;
  while (next < files.size()) {
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) return crashed;  // no probe: load as before
    pid_t pid = ::fork();
    if (pid < 0) {
      ::close(report[0]);
      ::close(report[1]);
      return crashed;
    }
    if (pid == 0) {
      ::close(report[0]);
      load_in_child(files, next, dlopen_mode, report[1]);
    }
    ::close(report[1]);
    size_t loaded = 0;
    char buffer[256];
    for (;;) {
      ssize_t n = ::read(report[0], buffer, sizeof buffer);
      if (n > 0) {
        loaded += static_cast<size_t>(n);
      } else if (n == 0 || errno != EINTR) {
        break;
      }
    }
    ::close(report[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    next += loaded;
    if (next >= files.size()) break;
    // The child died while loading files[next] (its byte never came).
    crashed[files[next]] = death_reason(status);
    ++next;
  }
  return crashed;
}

}  // namespace sluice::loader
