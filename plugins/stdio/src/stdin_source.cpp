#include "stdin_source.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sluice/common/line_io/emit_retry.hpp>
#include <sluice/common/line_io/line_splitter.hpp>

namespace sluice::stdio {

StdinSource::StdinSource(const Host& host, Options options)
    : host_(host), options_(std::move(options)) {
  lines_ = host_.counter("source_lines_total", "Lines read from stdin and emitted");
  skipped_ = host_.counter("source_skipped_lines_total",
                           "Lines skipped because they exceed max_line_bytes");
  nacks_ = host_.counter("source_nacks_total", "Lines that could not be delivered (lost)");
}

StdinSource::~StdinSource() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

Status StdinSource::start(std::string& error) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    error = std::string("eventfd failed: ") + std::strerror(errno);
    return Status::kError;
  }
  reader_ = std::thread([this] { run(); });
  return Status::kOk;
}

void StdinSource::stop() {
  stop_.request();
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
  }
  if (reader_.joinable()) reader_.join();
}

void StdinSource::ack(uint64_t, Outcome outcome) {
  if (outcome == Outcome::kAck) return;
  // Standard input cannot be read twice: a NACKed line is gone.
  nacks_.add();
  if (!nack_logged_.exchange(true))
    host_.log(LogLevel::kWarn,
              "a line from stdin was not delivered (NACK) and cannot be read again; further "
              "losses are counted in source_nacks_total");
}

bool StdinSource::wait_readable() {
  pollfd fds[2] = {{options_.fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (!stop_.requested()) {
    int n = ::poll(fds, 2, -1);
    if (n < 0 && errno != EINTR) return false;
    if (n > 0 && fds[1].revents) return false;
    // POLLHUP/POLLERR on stdin: read() tells EOF or the error.
    if (n > 0 && fds[0].revents) return true;
  }
  return false;
}

bool StdinSource::emit(std::string_view line) {
  sluice_message message = common::line_io::simple_message(line, options_.subject);
  Status status = common::line_io::emit_with_retry(host_, message, next_id_++, stop_);
  if (status == Status::kOk) {
    lines_.add();
    return true;
  }
  if (status == Status::kRejected) {
    host_.log(LogLevel::kWarn, "the host rejected a line from stdin; skipped");
    return true;
  }
  return false;  // closed or stopping
}

void StdinSource::run() {
  common::line_io::LineSplitter splitter(options_.max_line_bytes, 64 * 1024);
  while (wait_readable()) {
    auto space = splitter.writable();
    ssize_t n = ::read(options_.fd, space.data(), space.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      host_.logf(LogLevel::kError, "reading stdin failed: %s", std::strerror(errno));
      break;
    }
    if (n == 0) {
      auto rest = splitter.take_rest();
      if (rest && !rest->too_long && !rest->text.empty() && !emit(rest->text)) return;
      break;
    }
    splitter.commit(static_cast<size_t>(n));
    while (auto line = splitter.next()) {
      if (line->too_long) {
        skipped_.add();
        host_.logf(LogLevel::kWarn, "skipped a line of stdin longer than %zu bytes",
                   options_.max_line_bytes);
        continue;
      }
      if (line->text.empty()) continue;
      if (!emit(line->text)) return;
    }
  }
  if (!stop_.requested()) host_.source_finished();
}

}  // namespace sluice::stdio
