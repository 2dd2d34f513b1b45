#include "resume_note.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace sluice::file {

std::optional<uint64_t> lines_before(int fd, uint64_t offset, uint64_t max_scan_bytes) {
  if (offset > max_scan_bytes) return std::nullopt;
  std::vector<char> buffer(1 << 20);
  uint64_t lines = 0, at = 0;
  while (at < offset) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), offset - at));
    ssize_t got = ::pread(fd, buffer.data(), want, static_cast<off_t>(at));
    if (got <= 0) return std::nullopt;
    lines += static_cast<uint64_t>(std::count(buffer.data(), buffer.data() + got, '\n'));
    at += static_cast<uint64_t>(got);
  }
  return lines;
}

std::string with_thousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string resume_note(const std::string& path, std::optional<uint64_t> line, uint64_t offset,
                        uint64_t size, const std::string& checkpoint_path, bool follow) {
  std::string text = "resuming " + path + " after ";
  if (line) text += "line " + with_thousands(*line) + ", ";
  text += "byte " + with_thousands(offset) + " of " + with_thousands(size);
  if (offset >= size)
    text += follow ? " (the end: waiting for new lines)" : " (the end: nothing to read)";
  text += ", from checkpoint " + checkpoint_path + "; delete it to read from the start";
  return text;
}

}  // namespace sluice::file
