// Reading the files a config names (the config itself, the Lua script) with
// bounds: only regular files, and no larger than a limit, checked before a
// single byte is read, so `-c /dev/zero` or a FIFO with no writer cannot
// exhaust memory or hang `sluice check`.
#pragma once

#include <cstddef>
#include <string>

namespace sluice::config {

// Real configs and scripts are kilobytes; this leaves three orders of
// magnitude of room while keeping a mistaken path from filling memory.
inline constexpr std::size_t kMaxConfigFileBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxScriptFileBytes = 16 * 1024 * 1024;

// Why `path` cannot be read as a config input ("it is a named pipe (FIFO),
// not a regular file", "it is 20971520 bytes, over the limit of 16 MiB", the
// system's error text), or "" when it is a regular file within `max_bytes`.
// Only looks (stat), never opens.
std::string regular_file_problem(const std::string& path, std::size_t max_bytes);

// Reads `path` into `text` after the same checks, made on the opened file
// (opened non-blocking, so a FIFO swapped in meanwhile cannot block). Returns
// "" or why it could not.
std::string read_regular_file(const std::string& path, std::size_t max_bytes, std::string& text);

}  // namespace sluice::config
