#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sluice/common/line_io/batch_writer.hpp>

namespace sluice::common::line_io {

BatchWriter::BatchWriter(int fd, Options options, ErrorHandler on_error)
    : fd_(fd), options_(std::move(options)), on_error_(std::move(on_error)), output_(fd) {
  buffer_.reserve(options_.batch_bytes * 2);
  writer_ = std::thread([this] { run(); });
}

BatchWriter::~BatchWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  output_.interrupt();
  writer_.join();
}

bool BatchWriter::flush(uint32_t timeout_ms) {
  std::unique_lock lock(mutex_);
  uint64_t target = appended_;
  if (written_ >= target) return true;
  flush_wanted_ = std::max(flush_wanted_, target);
  wake_writer_.notify_one();
  return written_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                              [&] { return written_ >= target; });
}

uint64_t BatchWriter::bytes_written() const {
  std::lock_guard lock(mutex_);
  return bytes_written_;
}

std::string BatchWriter::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

std::string BatchWriter::write_all(const std::string& data) {
  if (std::string error = output_.write_all(data); !error.empty())
    return "writing to " + options_.name + " failed: " + error;
  if (options_.fsync && ::fsync(fd_) != 0 && errno != EINVAL)
    return "fsync of " + options_.name + " failed: " + std::strerror(errno);
  return {};
}

void BatchWriter::run() {
  // A closed reader (stdout piped into `head`) must fail the write with
  // EPIPE rather than kill the whole process with SIGPIPE.
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);

  std::string batch;
  std::vector<Completion> done;
  std::unique_lock lock(mutex_);
  while (true) {
    auto due = [&] {
      return stopping_ || buffer_.size() >= options_.batch_bytes || flush_wanted_ > written_;
    };
    if (buffer_.empty() && completions_.empty()) {
      if (stopping_) break;
      wake_writer_.wait(lock, [&] { return due() || !completions_.empty(); });
      continue;
    }
    if (!due()) {
      auto deadline = first_append_ + std::chrono::milliseconds(options_.flush_interval_ms);
      if (!wake_writer_.wait_until(lock, deadline, due) && Clock::now() < deadline) continue;
    }
    batch.swap(buffer_);
    done.swap(completions_);
    uint64_t upto = appended_;
    lock.unlock();

    std::string error = batch.empty() ? std::string() : write_all(batch);
    if (error.empty()) {
      for (auto& c : done) c.ok();
    } else {
      if (on_error_) on_error_(error);
      for (auto& c : done) c.fail(Status::kError, error);
    }
    size_t size = batch.size();
    batch.clear();
    done.clear();

    lock.lock();
    pending_bytes_ -= size;
    written_ = upto;
    if (error.empty()) bytes_written_ += size;
    if (size > 0) last_error_ = error;
    written_cv_.notify_all();
  }
}

}  // namespace sluice::common::line_io
