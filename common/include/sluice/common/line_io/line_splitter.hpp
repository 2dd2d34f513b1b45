// Cuts a byte stream into lines without copying them: the caller reads into
// the splitter's buffer and takes views of complete lines. Lines longer than
// a limit are skipped (and reported) without ever being buffered whole.
// Shared by the file and stdio plugins.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace sluice::common::line_io {

struct Line {
  // The line without its '\n' (and without one trailing '\r'). Valid until
  // the next call to writable() or reset().
  std::string_view text;
  uint64_t start_offset = 0;  // stream offset of the line's first byte
  uint64_t end_offset = 0;    // stream offset just past its '\n'
  // The line exceeded max_line_bytes: `text` is empty, the line was dropped.
  bool too_long = false;
};

class LineSplitter {
 public:
  // `read_chunk` is how much writable() offers at least per call.
  LineSplitter(size_t max_line_bytes, size_t read_chunk, uint64_t start_offset = 0)
      : max_line_(max_line_bytes), chunk_(read_chunk), buffer_(max_line_bytes + read_chunk + 1) {
    reset(start_offset);
  }

  // Room to read into; call commit() with the number of bytes read.
  std::span<char> writable() {
    if (end_ + chunk_ > buffer_.size()) compact();
    return {buffer_.data() + end_, buffer_.size() - end_};
  }
  void commit(size_t n) { end_ += n; }

  // The next complete line, or nothing when no complete line is buffered.
  std::optional<Line> next() {
    while (true) {
      const char* base = buffer_.data();
      const void* nl = std::memchr(base + scan_, '\n', end_ - scan_);
      if (!nl) {
        scan_ = end_;
        if (!discarding_ && end_ - begin_ > max_line_) start_discarding();
        if (discarding_) drop_buffered();
        return std::nullopt;
      }
      size_t nl_index = static_cast<const char*>(nl) - base;
      Line line;
      line.start_offset = offset_of(begin_);
      line.end_offset = offset_of(nl_index + 1);
      if (discarding_) {
        line.start_offset = discard_start_;
        line.too_long = true;
        discarding_ = false;
      } else if (nl_index - begin_ > max_line_) {
        line.too_long = true;
      } else {
        line.text = trim_cr(std::string_view(base + begin_, nl_index - begin_));
      }
      begin_ = scan_ = nl_index + 1;
      return line;
    }
  }

  // What is buffered after the last complete line (an unterminated last
  // line at the end of a stream), consuming it. Nothing when empty.
  std::optional<Line> take_rest() {
    if (discarding_) {
      Line line{{}, discard_start_, offset_of(end_), true};
      discarding_ = false;
      begin_ = scan_ = end_;
      return line;
    }
    if (begin_ == end_) return std::nullopt;
    Line line{trim_cr(std::string_view(buffer_.data() + begin_, end_ - begin_)), offset_of(begin_),
              offset_of(end_), false};
    begin_ = scan_ = end_;
    return line;
  }

  // Forgets everything buffered; the next byte read is at `offset`.
  void reset(uint64_t offset) {
    begin_ = scan_ = end_ = 0;
    base_offset_ = offset;
    discarding_ = false;
  }

  // Stream offset just past the last byte handed out as (part of) a line.
  uint64_t consumed_offset() const { return offset_of(begin_); }
  // Bytes read but not yet handed out as lines.
  size_t buffered() const { return end_ - begin_; }

 private:
  static std::string_view trim_cr(std::string_view s) {
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    return s;
  }
  uint64_t offset_of(size_t index) const { return base_offset_ + index; }

  // Moves the unconsumed tail to the front so a full chunk fits after it.
  void compact() {
    size_t n = end_ - begin_;
    if (begin_ > 0 && n > 0) std::memmove(buffer_.data(), buffer_.data() + begin_, n);
    base_offset_ += begin_;
    scan_ -= begin_;
    begin_ = 0;
    end_ = n;
  }
  void start_discarding() {
    discarding_ = true;
    discard_start_ = offset_of(begin_);
  }
  // Throws away the buffered part of an over-long line.
  void drop_buffered() {
    base_offset_ += end_;
    begin_ = scan_ = end_ = 0;
  }

  size_t max_line_;
  size_t chunk_;
  std::vector<char> buffer_;
  size_t begin_ = 0;          // first byte not yet handed out
  size_t scan_ = 0;           // where to continue looking for '\n'
  size_t end_ = 0;            // end of the bytes read
  uint64_t base_offset_ = 0;  // stream offset of buffer_[0]
  bool discarding_ = false;
  uint64_t discard_start_ = 0;
};

}  // namespace sluice::common::line_io
