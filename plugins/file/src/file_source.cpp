#include "file_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sluice/common/line_io/emit_retry.hpp>

#include "resume_note.hpp"

namespace sluice::file {
namespace {

// Large reads keep syscalls far below one per line.
constexpr size_t kReadChunk = 256 * 1024;
// The resume log line counts lines up to the checkpoint only below this
// (about a second of reading); beyond it, it gives the byte offset alone.
constexpr uint64_t kMaxCountedBytes = 1ull << 30;

FileIdentity identity_of(const struct stat& st) {
  return FileIdentity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

}  // namespace

FileSource::FileSource(const Host& host, Options options)
    : host_(host),
      options_(std::move(options)),
      store_(options_.checkpoint_path),
      progress_(options_.max_uncommitted_lines),
      splitter_(options_.max_line_bytes, kReadChunk) {
  lines_ = host_.counter("source_lines_total", "Lines emitted by the file source");
  bytes_ = host_.counter("source_bytes_total", "Bytes of lines emitted by the file source");
  skipped_ = host_.counter("source_skipped_lines_total",
                           "Lines skipped because they exceed max_line_bytes");
  nacks_ = host_.counter("source_nacks_total",
                         "Lines that could not be delivered (re-read after a restart)");
  rotations_ = host_.counter("source_rotations_total", "Rotations of the followed file");
  truncations_ = host_.counter("source_truncations_total", "Truncations of the followed file");
  checkpoint_offset_ = host_.gauge("source_checkpoint_offset", "Byte offset in the checkpoint");
}

FileSource::~FileSource() {
  stop();
  save_checkpoint();
  if (fd_ >= 0) ::close(fd_);
}

Status FileSource::start(std::string& error) {
  try {
    loaded_checkpoint_ = store_.load();
  } catch (const std::exception& e) {
    error = e.what();
    return Status::kError;
  }
  saved_ = loaded_checkpoint_;
  std::string open_error;
  if (!open_file(false, &open_error)) {
    if (!options_.follow) {
      error = open_error;
      return Status::kError;
    }
    host_.logf(LogLevel::kInfo, "%s; waiting for it to appear", open_error.c_str());
  }
  reader_ = std::thread([this] { run(); });
  return Status::kOk;
}

void FileSource::stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_.request();
  if (reader_.joinable()) reader_.join();
  save_checkpoint();
}

void FileSource::ack_batch(const uint64_t* ack_ids, const sluice_outcome* outcomes, size_t count) {
  bool all_acked = std::all_of(outcomes, outcomes + count,
                               [](sluice_outcome o) { return o == SLUICE_OUTCOME_ACK; });
  if (all_acked) {
    progress_.complete_many(ack_ids, count);  // one lock for the lot
    return;
  }
  for (size_t i = 0; i < count; ++i) ack(ack_ids[i], static_cast<Outcome>(outcomes[i]));
}

void FileSource::ack(uint64_t ack_id, Outcome outcome) {
  if (outcome == Outcome::kAck) {
    progress_.complete(ack_id);
    return;
  }
  // A file cannot redeliver by itself: the line stays before the
  // checkpoint, so a restart reads it (and what follows) again.
  nacks_.add();
  if (nacked_.fetch_add(1) == 0)
    host_.logf(LogLevel::kWarn,
               "a line of %s was not delivered (NACK): the checkpoint stays before it, so it "
               "is read again after a restart",
               options_.path.c_str());
}

Health FileSource::health() const {
  std::lock_guard lock(health_mutex_);
  return health_;
}

void FileSource::set_health(bool healthy, std::string message) {
  std::lock_guard lock(health_mutex_);
  health_.healthy = healthy;
  health_.message = std::move(message);
}

bool FileSource::open_file(bool rotated, std::string* error) {
  int fd = ::open(options_.path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    std::string text = "cannot open " + options_.path + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    if (error) *error = text;
    set_health(true, "waiting for " + options_.path + " (" + std::strerror(errno) + ")");
    return false;
  }
  identity_ = identity_of(st);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint64_t offset = rotated ? 0 : resume_offset(identity_, size);
  if (offset > 0 && ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) offset = 0;
  if (!rotated && loaded_checkpoint_ && offset > 0)
    host_.log(LogLevel::kInfo,
              resume_note(options_.path, lines_before(fd, offset, kMaxCountedBytes), offset, size,
                          store_.path(), options_.follow));
  fd_ = fd;
  read_offset_ = offset;
  splitter_.reset(offset);
  rotation_seen_ = false;
  if (!opened_.exchange(true)) progress_.begin(FilePosition{identity_, offset});
  set_health(true, "");
  return true;
}

uint64_t FileSource::resume_offset(const FileIdentity& identity, uint64_t size) {
  if (!loaded_checkpoint_) return options_.start_at_end ? size : 0;
  const FilePosition& cp = *loaded_checkpoint_;
  if (cp.file != identity) {
    host_.logf(LogLevel::kInfo,
               "%s is not the file in checkpoint %s (replaced or rotated while stopped); "
               "reading it from the beginning",
               options_.path.c_str(), store_.path().c_str());
    return 0;
  }
  if (cp.offset > size) {
    host_.logf(LogLevel::kWarn,
               "%s is shorter (%llu bytes) than its checkpoint (%llu): truncated while "
               "stopped; reading it from the beginning",
               options_.path.c_str(), static_cast<unsigned long long>(size),
               static_cast<unsigned long long>(cp.offset));
    return 0;
  }
  return cp.offset;
}

void FileSource::run() {
  bool finished = false;
  while (!stop_.requested()) {
    maybe_save_checkpoint();
    if (finished) {
      // Acks keep arriving after the end of the file: keep checkpointing.
      stop_.sleep_for(std::chrono::milliseconds(options_.checkpoint_interval_ms));
      continue;
    }
    if (fd_ < 0 && !open_file(false, nullptr)) {
      stop_.sleep_for(std::chrono::milliseconds(options_.poll_interval_ms));
      continue;
    }
    auto space = splitter_.writable();
    ssize_t n = ::read(fd_, space.data(), space.size());
    if (n > 0) {
      splitter_.commit(static_cast<size_t>(n));
      read_offset_ += static_cast<uint64_t>(n);
      if (!emit_lines()) break;
      continue;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string text = "reading " + options_.path + " failed: " + std::strerror(errno);
      host_.log(LogLevel::kError, text);
      set_health(false, text);
      if (!options_.follow) {
        finish_reading();
        finished = true;
      } else {
        stop_.sleep_for(std::chrono::milliseconds(options_.poll_interval_ms));
      }
      continue;
    }
    // End of file.
    if (!options_.follow) {
      if (auto rest = splitter_.take_rest(); rest && !rest->too_long && !rest->text.empty()) {
        if (!emit_line(*rest)) break;
      }
      finish_reading();
      finished = true;
      continue;
    }
    if (!handle_rotation_or_truncation())
      stop_.sleep_for(std::chrono::milliseconds(options_.poll_interval_ms));
  }
}

void FileSource::finish_reading() {
  host_.logf(LogLevel::kDebug, "reached the end of %s", options_.path.c_str());
  host_.source_finished();
}

bool FileSource::emit_lines() {
  while (auto line = splitter_.next()) {
    if (line->too_long) {
      skipped_.add();
      host_.logf(LogLevel::kWarn, "skipped a line of %s at offset %llu: longer than %zu bytes",
                 options_.path.c_str(), static_cast<unsigned long long>(line->start_offset),
                 options_.max_line_bytes);
      continue;
    }
    if (line->text.empty()) continue;
    if (!add_to_batch(*line)) return false;
  }
  return emit_batch();  // before the next read reuses the buffer
}

bool FileSource::wait_for_room() {
  // Bounded memory: while a NACKed line holds the checkpoint back (or acks
  // lag far behind), read only so far past the checkpoint.
  while (progress_.uncommitted() >= options_.max_uncommitted_lines) {
    if (nacked_.load() > 0)
      set_health(false, "reading paused: a NACKed line holds the checkpoint of " + options_.path +
                            " back; restart to read again from it");
    if (!stop_.sleep_for(std::chrono::milliseconds(1))) return false;
    maybe_save_checkpoint();
  }
  return true;
}

bool FileSource::emit_line(const common::line_io::Line& line) {
  return add_to_batch(line) && emit_batch();
}

bool FileSource::add_to_batch(const common::line_io::Line& line) {
  // Lines per emit_batch call: large enough to share the host's queue lock
  // and wake-up widely, small enough to keep the first line's latency low.
  constexpr size_t kBatchLines = 256;
  std::optional<uint64_t> tracked = progress_.track(FilePosition{identity_, line.end_offset});
  if (!tracked) {
    // Too far ahead of the checkpoint: what is batched must go out before
    // its acks can make room.
    if (!emit_batch()) return false;
    while (!(tracked = progress_.track(FilePosition{identity_, line.end_offset})))
      if (!wait_for_room()) return false;
  }
  batch_.push_back(common::line_io::simple_message(line.text, options_.subject));
  batch_ids_.push_back(*tracked);
  batch_lines_.push_back({line.start_offset, line.text.size()});
  return batch_.size() < kBatchLines || emit_batch();
}

bool FileSource::emit_batch() {
  size_t done = 0;
  uint32_t wait_ms = 1;  // the host's own wait is the backoff while it is full
  bool reading_goes_on = true;
  while (done < batch_.size()) {
    size_t accepted = 0;
    Status status = host_.emit_batch(batch_.data() + done, batch_ids_.data() + done,
                                     batch_.size() - done, wait_ms, accepted);
    if (accepted > 0) {  // one metric call each per batch, not per line
      size_t bytes = 0;
      for (size_t i = done; i < done + accepted; ++i) bytes += batch_lines_[i].bytes;
      lines_.add(static_cast<double>(accepted));
      bytes_.add(static_cast<double>(bytes));
    }
    done += accepted;
    if (status == Status::kOk) break;
    if (status == Status::kBusy && !stop_.requested()) {
      wait_ms = std::min<uint32_t>(wait_ms * 2, 100);
      maybe_save_checkpoint();
      continue;
    }
    if (status == Status::kRejected) {
      // Never deliverable: let the checkpoint move past it.
      host_.logf(LogLevel::kWarn, "the host rejected the line of %s at offset %llu; skipped",
                 options_.path.c_str(),
                 static_cast<unsigned long long>(batch_lines_[done].start_offset));
      progress_.complete(batch_ids_[done]);
      ++done;
      continue;
    }
    // Closed or stopping: the lines not taken stay unacked, so the
    // checkpoint stays before them.
    reading_goes_on = false;
    break;
  }
  batch_.clear();
  batch_ids_.clear();
  batch_lines_.clear();
  return reading_goes_on;
}

bool FileSource::handle_rotation_or_truncation() {
  if (rotation_seen_) {
    // The old file was read to its end once more after the rename; now
    // switch. Its unterminated last line will never be finished.
    if (auto rest = splitter_.take_rest(); rest && !rest->too_long && !rest->text.empty())
      emit_line(*rest);
    ::close(fd_);
    fd_ = -1;
    rotations_.add();
    host_.logf(LogLevel::kInfo, "%s was rotated; reading the new file from the beginning",
               options_.path.c_str());
    open_file(true, nullptr);
    return true;
  }
  struct stat st {};
  if (::stat(options_.path.c_str(), &st) != 0) return false;  // gone for now: wait
  if (identity_of(st) != identity_) {
    rotation_seen_ = true;  // read the old file once more before switching
    return true;
  }
  if (::fstat(fd_, &st) == 0 && static_cast<uint64_t>(st.st_size) < read_offset_) {
    host_.logf(LogLevel::kWarn, "%s was truncated; reading it again from the beginning",
               options_.path.c_str());
    truncations_.add();
    ::lseek(fd_, 0, SEEK_SET);
    read_offset_ = 0;
    splitter_.reset(0);
    return true;
  }
  return false;
}

void FileSource::maybe_save_checkpoint() {
  auto now = Clock::now();
  if (now - last_save_ < std::chrono::milliseconds(options_.checkpoint_interval_ms)) return;
  last_save_ = now;
  save_checkpoint();
}

void FileSource::save_checkpoint() {
  if (!opened_.load()) return;
  std::lock_guard lock(save_mutex_);
  FilePosition position = progress_.checkpoint();
  if (saved_ && *saved_ == position) return;
  std::string error = store_.save(position, options_.path);
  if (!error.empty()) {
    host_.log(LogLevel::kError, error);
    return;
  }
  saved_ = position;
  checkpoint_offset_.set(static_cast<double>(position.offset));
}

}  // namespace sluice::file
