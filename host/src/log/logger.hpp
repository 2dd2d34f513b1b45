// Process-wide logging: levels, text or JSON lines on stderr, a component
// (connector or route name) on every line, and rate-limited repeats so a
// failing broker cannot flood the log.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sluice::log {

enum class Level { kTrace = 0, kDebug = 1, kInfo = 2, kWarn = 3, kError = 4, kOff = 5 };
enum class Format { kText, kJson };

std::optional<Level> parse_level(std::string_view text);
std::optional<Format> parse_format(std::string_view text);
const char* level_name(Level level);

class Logger {
 public:
  static Logger& instance();

  void set_level(Level level) { level_.store(level, std::memory_order_relaxed); }
  Level level() const { return level_.load(std::memory_order_relaxed); }
  void set_format(Format format) { format_ = format; }
  void set_output(std::FILE* out) { out_ = out; }
  bool enabled(Level level) const { return level >= this->level(); }

  // Writes one line. Identical (component, text) lines repeated within the
  // window are counted instead and summarised as "suppressed N similar".
  void write(Level level, std::string_view component, std::string_view text);

 private:
  Logger() = default;
  void emit_line(Level level, std::string_view component, std::string_view text);

  struct Repeat {
    std::chrono::steady_clock::time_point window_start;
    uint64_t suppressed = 0;
    Level level = Level::kInfo;
  };
  std::atomic<Level> level_{Level::kInfo};
  Format format_ = Format::kText;
  std::FILE* out_ = stderr;
  std::mutex mutex_;
  std::unordered_map<std::string, Repeat> repeats_;
};

inline void write(Level level, std::string_view component, std::string_view text) {
  auto& l = Logger::instance();
  if (l.enabled(level)) l.write(level, component, text);
}
inline void info(std::string_view component, std::string_view text) {
  write(Level::kInfo, component, text);
}
inline void warn(std::string_view component, std::string_view text) {
  write(Level::kWarn, component, text);
}
inline void error(std::string_view component, std::string_view text) {
  write(Level::kError, component, text);
}
inline void debug(std::string_view component, std::string_view text) {
  write(Level::kDebug, component, text);
}

}  // namespace sluice::log
