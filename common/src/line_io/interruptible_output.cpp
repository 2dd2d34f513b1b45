#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sluice/common/line_io/interruptible_output.hpp>
#include <sluice/common/line_io/line_chunks.hpp>

namespace sluice::common::line_io {

InterruptibleOutput::InterruptibleOutput(int fd) : fd_(fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) return;
  if (S_ISCHR(st.st_mode) && !::isatty(fd)) return;  // /dev/null and the like never wait
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return;  // stays blocking: the host's shutdown bound still holds
  if (S_ISSOCK(st.st_mode)) {
    mode_ = Mode::kSocket;
  } else if (S_ISFIFO(st.st_mode)) {
    // A fresh open file description of the same pipe: O_NONBLOCK on it does
    // not leak to the processes sharing `fd` (the shell, a `tee`).
    std::string self = "/proc/self/fd/" + std::to_string(fd);
    own_fd_ = ::open(self.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (own_fd_ >= 0) {
      fd_ = own_fd_;
      mode_ = Mode::kNonBlocking;
    } else {
      mode_ = Mode::kSmallChunks;
    }
  } else {
    mode_ = Mode::kSmallChunks;
  }
}

InterruptibleOutput::~InterruptibleOutput() {
  if (own_fd_ >= 0) ::close(own_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void InterruptibleOutput::interrupt() {
  interrupted_.store(true);
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
  }
}

bool InterruptibleOutput::wait_writable() {
  pollfd fds[2] = {{fd_, POLLOUT, 0}, {wake_fd_, POLLIN, 0}};
  while (!interrupted_.load()) {
    int n = ::poll(fds, 2, -1);
    if (n < 0 && errno != EINTR) return true;  // let the write report the problem
    if (n > 0 && fds[1].revents) return false;
    // POLLERR/POLLHUP too: the write tells what happened (EPIPE).
    if (n > 0 && fds[0].revents) return true;
  }
  return false;
}

long InterruptibleOutput::write_some(std::string_view data) {
  switch (mode_) {
    case Mode::kBlocking:
    case Mode::kNonBlocking:
      return ::write(fd_, data.data(), data.size());
    case Mode::kSocket:
      return ::send(fd_, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    case Mode::kSmallChunks:
      // After POLLOUT a pipe or tty takes up to PIPE_BUF bytes without waiting.
      if (!wait_writable()) {
        errno = EAGAIN;
        return -1;
      }
      return ::write(fd_, data.data(), std::min<size_t>(data.size(), PIPE_BUF));
  }
  return -1;
}

std::string InterruptibleOutput::write_all(std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    // Each write ends on a line end: a kill between two writes leaves whole lines.
    size_t end = line_chunk_end(data, done, kMaxWriteBytes);
    long n = write_some(data.substr(done, end - done));
    if (n >= 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN && mode_ != Mode::kBlocking) {
      if (mode_ != Mode::kSmallChunks && wait_writable()) continue;
      return "gave up at shutdown with " + std::to_string(data.size() - done) +
             " bytes unwritten: nothing read them";
    }
    return std::strerror(errno);
  }
  return {};
}

}  // namespace sluice::common::line_io
