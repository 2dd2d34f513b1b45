// The file plugin's writing side: appends each published message as a line
// (raw or JSON), buffered, and completes it once its batch was written to
// the OS, or fsynced with `fsync: true`.
#pragma once

#include <memory>
#include <mutex>
#include <sluice/common/line_io/batch_writer.hpp>
#include <sluice/common/line_io/line_format.hpp>
#include <sluice/plugin.hpp>
#include <string>

namespace sluice::file {

class FileSink {
 public:
  struct Options {
    std::string path;
    common::line_io::LineFormat format = common::line_io::LineFormat::kRaw;
    bool fsync = false;
    size_t batch_bytes = 64 * 1024;
    size_t max_pending_bytes = 8 << 20;
    uint32_t flush_interval_ms = 100;
  };

  FileSink(const Host& host, Options options);
  ~FileSink();  // writes what is buffered, completes everything, closes
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  // Creates parent directories and opens the file for appending; "" or why
  // it failed. A half-written last line (a crash during a write) is cut
  // off first, with a warning. publish() opens the file on first use when
  // open() was not called.
  std::string open();
  Status publish(const MessageView& message, Completion& completion, std::string& error);
  Status flush(uint32_t timeout_ms);
  Health health() const;

 private:
  std::string open_locked();
  // A crash mid-write can leave the file ending in part of a line: cut it
  // so that the next line starts on a line of its own.
  void repair_unterminated_last_line();

  const Host host_;
  const Options options_;
  mutable std::mutex mutex_;
  int fd_ = -1;
  std::unique_ptr<common::line_io::BatchWriter> writer_;
  Metric messages_;
  Metric bytes_;
  Metric errors_;
  Metric torn_lines_cut_;
};

}  // namespace sluice::file
