#include "file_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sluice/common/line_io/tail_repair.hpp>

namespace sluice::file {

FileSink::FileSink(const Host& host, Options options) : host_(host), options_(std::move(options)) {
  messages_ = host_.counter("sink_messages_total", "Messages appended by the file sink");
  bytes_ = host_.counter("sink_bytes_total", "Bytes appended by the file sink");
  errors_ = host_.counter("sink_write_errors_total", "Failed writes of the file sink");
  torn_lines_cut_ = host_.counter("sink_torn_lines_cut_total",
                                  "Half-written last lines (left by a crash) cut off at open");
}

FileSink::~FileSink() {
  writer_.reset();  // drains and completes before the descriptor closes
  if (fd_ >= 0) ::close(fd_);
}

std::string FileSink::open() {
  std::lock_guard lock(mutex_);
  return open_locked();
}

std::string FileSink::open_locked() {
  if (writer_) return {};
  std::filesystem::path path(options_.path);
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return "cannot create directory " + path.parent_path().string() + ": " + ec.message();
  }
  // Read access lets the repair below look at the file's end; a file we may
  // only write is read back through /proc instead.
  fd_ = ::open(options_.path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0 && errno == EACCES)
    fd_ = ::open(options_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return "cannot open " + options_.path + " for appending: " + std::strerror(errno);
  repair_unterminated_last_line();
  common::line_io::BatchWriter::Options writer_options;
  writer_options.batch_bytes = options_.batch_bytes;
  writer_options.max_pending_bytes = options_.max_pending_bytes;
  writer_options.flush_interval_ms = options_.flush_interval_ms;
  writer_options.fsync = options_.fsync;
  writer_options.name = options_.path;
  writer_ = std::make_unique<common::line_io::BatchWriter>(fd_, writer_options,
                                                           [this](const std::string& error) {
                                                             errors_.add();
                                                             host_.log(LogLevel::kError, error);
                                                           });
  return {};
}

void FileSink::repair_unterminated_last_line() {
  common::line_io::TailRepair repair = common::line_io::cut_unterminated_last_line(fd_);
  if (!repair.error.empty()) {
    host_.log(LogLevel::kWarn, "cannot check whether " + options_.path +
                                   " ends with a half-written line: " + repair.error);
  } else if (repair.bytes_cut > 0) {
    torn_lines_cut_.add();
    host_.log(LogLevel::kWarn, common::line_io::describe_repair(repair, options_.path));
  }
}

Status FileSink::publish(const MessageView& message, Completion& completion, std::string& error) {
  common::line_io::BatchWriter* writer;
  {
    std::lock_guard lock(mutex_);
    if (!writer_) {
      error = open_locked();
      if (!error.empty()) return Status::kError;
    }
    writer = writer_.get();
  }
  bool taken = writer->append(
      [&](std::string& out) { common::line_io::append_line(out, message, options_.format); },
      completion);
  if (!taken) return Status::kBusy;
  messages_.add();
  bytes_.add(static_cast<double>(message.payload().size()));
  return Status::kOk;
}

Status FileSink::flush(uint32_t timeout_ms) {
  common::line_io::BatchWriter* writer;
  {
    std::lock_guard lock(mutex_);
    writer = writer_.get();
  }
  if (!writer) return Status::kOk;
  return writer->flush(timeout_ms) ? Status::kOk : Status::kTimeout;
}

Health FileSink::health() const {
  std::lock_guard lock(mutex_);
  if (!writer_) return {};
  std::string error = writer_->last_error();
  if (!error.empty()) return Health{false, error};
  return {};
}

}  // namespace sluice::file
