#include "log/logger.hpp"

#include <boost/json.hpp>
#include <ctime>

namespace sluice::log {
namespace {
// How long identical lines are folded into one "suppressed" summary.
constexpr auto kRepeatWindow = std::chrono::seconds(10);
// The repeat table is cleared when it grows past this, bounding memory.
constexpr size_t kMaxRepeatEntries = 4096;
}  // namespace

std::optional<Level> parse_level(std::string_view text) {
  if (text == "trace") return Level::kTrace;
  if (text == "debug") return Level::kDebug;
  if (text == "info") return Level::kInfo;
  if (text == "warn" || text == "warning") return Level::kWarn;
  if (text == "error") return Level::kError;
  if (text == "off") return Level::kOff;
  return std::nullopt;
}

std::optional<Format> parse_format(std::string_view text) {
  if (text == "text") return Format::kText;
  if (text == "json") return Format::kJson;
  return std::nullopt;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
    case Level::kOff:
      return "off";
  }
  return "?";
}

Logger& Logger::instance() {
  static Logger logger;
  return logger;
}

void Logger::write(Level level, std::string_view component, std::string_view text) {
  auto now = std::chrono::steady_clock::now();
  std::string key;
  key.reserve(component.size() + text.size() + 1);
  key.append(component).push_back('\x1f');
  key.append(text);
  std::lock_guard lock(mutex_);
  if (repeats_.size() > kMaxRepeatEntries) repeats_.clear();
  auto [it, inserted] = repeats_.try_emplace(std::move(key));
  Repeat& r = it->second;
  if (!inserted && now - r.window_start < kRepeatWindow) {
    ++r.suppressed;
    return;
  }
  if (r.suppressed > 0) {
    emit_line(
        r.level, component,
        "suppressed " + std::to_string(r.suppressed) + " similar messages: " + std::string(text));
  }
  r.window_start = now;
  r.suppressed = 0;
  r.level = level;
  emit_line(level, component, text);
}

void Logger::emit_line(Level level, std::string_view component, std::string_view text) {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[40];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  std::string line;
  if (format_ == Format::kJson) {
    boost::json::object o{
        {"time", stamp}, {"level", level_name(level)}, {"component", component}, {"message", text}};
    line = boost::json::serialize(o);
  } else {
    line.append(stamp).append(" ").append(level_name(level)).append(" [");
    line.append(component).append("] ").append(text);
  }
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace sluice::log
