// The line a file source logs when it resumes from a checkpoint. Without it
// a second run of the same config reads nothing and says only "source
// finished", which looks like a broken pipeline to a newcomer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::file {

// Lines (newlines) in the first `offset` bytes of the open file `fd`, read
// with pread so the caller's position is untouched; nothing when the file
// cannot be read or `offset` exceeds `max_scan_bytes` (counting would make
// the start slow on a huge file).
std::optional<uint64_t> lines_before(int fd, uint64_t offset, uint64_t max_scan_bytes);

// 1234567 -> "1,234,567".
std::string with_thousands(uint64_t n);

// "resuming tracking.jsonl after line 1,000,000, byte 58,000,000 of
// 58,000,000 (the end: nothing to read), from checkpoint state/x.json;
// delete it to read from the start".
// `line` is the count from lines_before (omitted when unknown).
std::string resume_note(const std::string& path, std::optional<uint64_t> line, uint64_t offset,
                        uint64_t size, const std::string& checkpoint_path, bool follow);

}  // namespace sluice::file
