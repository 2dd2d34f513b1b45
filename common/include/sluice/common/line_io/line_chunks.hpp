// Where a sink's write() calls end: on line ends, so that a process killed
// between two writes leaves only whole lines in the file. Shared by the file
// and stdio plugins (through BatchWriter).
#pragma once

#include <cstddef>
#include <string_view>

namespace sluice::common::line_io {

// The most bytes one write() of a sink carries, unless a single line is
// longer (a line is never split over two writes).
inline constexpr size_t kMaxWriteBytes = 64 * 1024;

// End (exclusive) of the write that starts at `from` in `data`: just after
// the last '\n' within `max_bytes`; when no line ends there, just after the
// next '\n' (the long line goes whole); the end of `data` when the rest
// fits or holds no '\n' at all.
inline size_t line_chunk_end(std::string_view data, size_t from, size_t max_bytes) {
  if (data.size() - from <= max_bytes) return data.size();
  size_t last = data.rfind('\n', from + max_bytes - 1);
  if (last != std::string_view::npos && last >= from) return last + 1;
  size_t next = data.find('\n', from + max_bytes);
  return next == std::string_view::npos ? data.size() : next + 1;
}

}  // namespace sluice::common::line_io
