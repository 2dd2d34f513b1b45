// Repair of a line file that a crash left with a half-written last line.
// write() of a regular file stops between pages when the process is killed
// (SIGKILL, OOM killer), so a kill in the middle of a write leaves a line
// cut short; a sink that appended after it would glue its first line onto
// the fragment. The fragment's message was never acknowledged (its write
// did not complete), so it comes again and cutting it loses nothing.
// Shared by the file and stdio plugins.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::common::line_io {

struct TailRepair {
  uint64_t bytes_cut = 0;  // 0: the file was empty or ended on a line end
  std::string error;       // why the file could not be checked or cut; "" when it could
};

// When `fd` is a regular file open for appending (O_APPEND, writable) and it
// does not end with '\n', truncates it just after its last '\n' (to empty
// when it holds none). Leaves anything else alone: pipes, terminals,
// sockets, devices, files written at an offset rather than appended to.
// Reads through `fd` when it is readable, else through /proc/self/fd/<fd>
// (stdout redirected with `>>` is write-only). Call it before the first
// write, while nothing else appends to the file.
TailRepair cut_unterminated_last_line(int fd);

// The warning a sink logs after a repair of `name` ("/data/out.jsonl",
// "stdout"): how many bytes were cut, and why.
std::string describe_repair(const TailRepair& repair, std::string_view name);

}  // namespace sluice::common::line_io
