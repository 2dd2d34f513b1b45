// The file plugin's reading side: reads a file line by line with large
// buffered reads, optionally follows it like `tail -F` (new data,
// truncation, rotation by inode), and keeps a checkpoint after the last
// line acked without gaps, so a restart resumes there: at-least-once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <sluice/common/line_io/line_splitter.hpp>
#include <sluice/common/line_io/stop_signal.hpp>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>
#include <vector>

#include "checkpoint.hpp"
#include "line_progress.hpp"

namespace sluice::file {

class FileSource {
 public:
  struct Options {
    std::string path;
    std::string subject;
    bool follow = false;
    bool start_at_end = false;
    std::string checkpoint_path;
    uint32_t checkpoint_interval_ms = 1000;
    uint32_t poll_interval_ms = 250;
    size_t max_line_bytes = 1 << 20;
    size_t max_uncommitted_lines = 100000;
  };

  FileSource(const Host& host, Options options);
  // Stops reading if still running and writes the final checkpoint (acks
  // that arrived after stop() are in it).
  ~FileSource();
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Status start(std::string& error);
  void stop();
  void ack(uint64_t ack_id, Outcome outcome);
  void ack_batch(const uint64_t* ack_ids, const sluice_outcome* outcomes, size_t count);
  Health health() const;

 private:
  using Clock = std::chrono::steady_clock;

  void run();
  // Opens the path; at the first open positions from the checkpoint or
  // start_at, after a rotation at 0. False when it cannot be opened yet.
  bool open_file(bool rotated, std::string* error);
  uint64_t resume_offset(const FileIdentity& identity, uint64_t size);
  // Emits every complete buffered line; false when reading must end.
  bool emit_lines();
  bool emit_line(const common::line_io::Line& line);
  // Tracks a line and adds it to the batch, handing the batch to the host
  // when it is full or before waiting for acks; false when reading must end.
  bool add_to_batch(const common::line_io::Line& line);
  // Hands the batch to the host (one emit_batch call per try), waiting out
  // BUSY; false when reading must end (what was not taken stays unacked).
  bool emit_batch();
  // Waits while too many lines are not yet behind the checkpoint; false
  // when stop was requested.
  bool wait_for_room();
  // At EOF in follow mode: true when the file was rotated or truncated
  // (and reading should go on at once).
  bool handle_rotation_or_truncation();
  void finish_reading();
  void maybe_save_checkpoint();
  void save_checkpoint();
  void set_health(bool healthy, std::string message);

  const Host host_;
  const Options options_;
  CheckpointStore store_;
  std::optional<FilePosition> loaded_checkpoint_;
  LineProgress progress_;
  common::line_io::StopSignal stop_;
  std::thread reader_;
  bool stopped_ = false;

  // Reader thread state.
  common::line_io::LineSplitter splitter_;
  int fd_ = -1;
  FileIdentity identity_;
  uint64_t read_offset_ = 0;
  bool rotation_seen_ = false;
  Clock::time_point last_save_ = Clock::now();
  // Lines read and tracked, not yet handed to the host. Their text points
  // into splitter_'s buffer, valid until the next read.
  struct BatchedLine {
    uint64_t start_offset;
    size_t bytes;
  };
  std::vector<sluice_message> batch_;
  std::vector<uint64_t> batch_ids_;
  std::vector<BatchedLine> batch_lines_;

  std::mutex save_mutex_;
  std::optional<FilePosition> saved_;  // what the checkpoint file holds
  std::atomic<bool> opened_{false};
  std::atomic<uint64_t> nacked_{0};

  mutable std::mutex health_mutex_;
  Health health_;

  Metric lines_;
  Metric bytes_;
  Metric skipped_;
  Metric nacks_;
  Metric rotations_;
  Metric truncations_;
  Metric checkpoint_offset_;
};

}  // namespace sluice::file
