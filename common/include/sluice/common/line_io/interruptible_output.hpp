// Writes to one file descriptor such that a write waiting for room (a pipe
// or socket nobody reads) can be interrupted from another thread, so that a
// sink never holds up shutdown. Regular files are written with plain
// blocking writes: a disk does not wait for a reader.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

namespace sluice::common::line_io {

class InterruptibleOutput {
 public:
  // Does not own `fd`; keeps using it (or its own non-blocking reopening of
  // a pipe) for the whole lifetime.
  explicit InterruptibleOutput(int fd);
  ~InterruptibleOutput();
  InterruptibleOutput(const InterruptibleOutput&) = delete;
  InterruptibleOutput& operator=(const InterruptibleOutput&) = delete;

  // Writes all of `data` (one thread at a time). Returns "" or what went
  // wrong: the errno text, or that it gave up after interrupt() while the
  // descriptor had no room.
  std::string write_all(std::string_view data);
  // Any thread: a write_all waiting for room gives up, and every later one
  // writes only what fits without waiting.
  void interrupt();

 private:
  enum class Mode {
    kBlocking,     // regular files and devices that never wait for a reader
    kNonBlocking,  // our own O_NONBLOCK descriptor of a pipe: whole batches
    kSocket,       // send(MSG_DONTWAIT): non-blocking per call
    kSmallChunks,  // a tty, or a pipe we could not reopen: poll, then PIPE_BUF bytes
  };
  // Waits until the descriptor has room; false once interrupted.
  bool wait_writable();
  // One write attempt; -1 with errno as write(2).
  long write_some(std::string_view data);

  int fd_;
  int own_fd_ = -1;   // the reopened pipe, closed by the destructor
  int wake_fd_ = -1;  // eventfd that interrupt() makes readable
  Mode mode_ = Mode::kBlocking;
  std::atomic<bool> interrupted_{false};
};

}  // namespace sluice::common::line_io
