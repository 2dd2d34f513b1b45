#include "cli/setup.hpp"

#include "log/logger.hpp"

namespace sluice::cli {

std::string apply_logging(const Options& options, const config::LoggingConfig& logging) {
  std::string level_text = options.log_level.value_or(logging.level);
  auto level = log::parse_level(level_text);
  if (!level)
    return "unknown log level '" + level_text + "' (trace, debug, info, warn, error, off)";
  std::string format_text = options.log_format.value_or(logging.format);
  auto format = log::parse_format(format_text);
  if (!format) return "unknown log format '" + format_text + "' (text, json)";
  log::Logger::instance().set_level(*level);
  log::Logger::instance().set_format(*format);
  return "";
}

}  // namespace sluice::cli
