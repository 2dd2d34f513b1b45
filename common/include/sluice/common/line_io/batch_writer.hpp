// Buffers sink output for one file descriptor and writes it in large
// batches from its own thread. A message's completion fires only after the
// batch holding it reached the OS (and the disk, with fsync), so an ack
// upstream never runs ahead of the data. Shared by the file and stdio
// plugins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <sluice/common/line_io/interruptible_output.hpp>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>
#include <vector>

namespace sluice::common::line_io {

class BatchWriter {
 public:
  struct Options {
    size_t batch_bytes = 64 * 1024;      // write once this much is buffered
    size_t max_pending_bytes = 8 << 20;  // beyond this append() says busy
    uint32_t flush_interval_ms = 100;    // longest a byte waits in the buffer
    bool fsync = false;                  // fsync after each batch
    std::string name;                    // for error texts ("/tmp/out", "stdout")
  };
  // Called (from the writer thread) when a write fails; the batch's
  // completions fail with the same text.
  using ErrorHandler = std::function<void(const std::string&)>;

  // Does not own `fd`.
  BatchWriter(int fd, Options options, ErrorHandler on_error);
  // Writes what is still buffered, completes every completion, joins. A
  // pipe or socket nobody reads does not hold it up: what does not fit
  // without waiting fails its completions (the sources redeliver it).
  ~BatchWriter();
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Appends what `format` writes into the buffer and takes `completion`.
  // Returns false (taking nothing) when too much is pending: backpressure.
  template <class Format>
  bool append(Format&& format, Completion& completion) {
    std::lock_guard lock(mutex_);
    if (pending_bytes_ >= options_.max_pending_bytes) return false;
    size_t before = buffer_.size();
    format(buffer_);
    pending_bytes_ += buffer_.size() - before;
    bool first = completions_.empty() && before == 0;
    if (first) first_append_ = Clock::now();
    completions_.push_back(std::move(completion));
    ++appended_;
    // The first pending line wakes the writer so that it starts the
    // flush_interval clock; a full batch wakes it to write at once.
    if (first || buffer_.size() >= options_.batch_bytes) wake_writer_.notify_one();
    return true;
  }

  // Waits until everything appended before the call was written, up to
  // timeout_ms. Returns true when it was.
  bool flush(uint32_t timeout_ms);

  uint64_t bytes_written() const;
  // The error of the last batch, "" when it was written fine.
  std::string last_error() const;

 private:
  using Clock = std::chrono::steady_clock;
  void run();
  // Writes `data` fully, each write() ending on a line end (line_chunks.hpp);
  // returns "" or the error text.
  std::string write_all(const std::string& data);

  const int fd_;
  const Options options_;
  ErrorHandler on_error_;
  InterruptibleOutput output_;

  mutable std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable written_cv_;
  std::string buffer_;
  std::vector<Completion> completions_;
  Clock::time_point first_append_;
  size_t pending_bytes_ = 0;   // buffered plus being written
  uint64_t appended_ = 0;      // messages appended so far
  uint64_t written_ = 0;       // messages whose batch was written
  uint64_t flush_wanted_ = 0;  // a flush waits for written_ to reach this
  uint64_t bytes_written_ = 0;
  std::string last_error_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace sluice::common::line_io
