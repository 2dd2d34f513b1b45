#include "retry_policy.hpp"

#include <charconv>
#include <ctime>
#include <string>

namespace sluice::http_plugin {

Verdict classify_status(unsigned status) {
  if (status >= 200 && status < 300) return Verdict::kDone;
  if (status == 429 || status >= 500) return Verdict::kRetry;
  // 408 Request Timeout is the server asking for another try too.
  if (status == 408) return Verdict::kRetry;
  return Verdict::kReject;
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size())
    return seconds < 0 ? std::nullopt : std::optional(std::chrono::milliseconds(seconds * 1000));
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  std::tm tm{};
  std::string text(value);
  const char* parsed = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!parsed || *parsed != '\0') return std::nullopt;
  auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
  return wait.count() < 0 ? std::chrono::milliseconds(0) : wait;
}

std::chrono::milliseconds retry_delay(const common::BackoffPolicy& policy, int attempt,
                                      std::optional<std::chrono::milliseconds> retry_after,
                                      double draw) {
  if (retry_after) return std::min(*retry_after, std::chrono::milliseconds(policy.max_ms));
  return common::backoff_delay(policy, attempt, draw);
}

}  // namespace sluice::http_plugin
