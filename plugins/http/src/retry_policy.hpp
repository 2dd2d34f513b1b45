// What a client does with an HTTP answer: 2xx completes, 429 and 5xx (and
// network errors) are worth another attempt after a backoff that honours
// the server's Retry-After, any other status fails for good (the host
// dead-letters the message instead of retrying it).
#pragma once

#include <chrono>
#include <optional>
#include <sluice/common/backoff.hpp>
#include <string_view>

namespace sluice::http_plugin {

enum class Verdict { kDone, kRetry, kReject };

Verdict classify_status(unsigned status);

// Retry-After as a wait: delta-seconds ("120") or an HTTP-date (IMF-fixdate,
// against `now`). nullopt when absent or unreadable.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// The wait before attempt `attempt + 1`: the server's Retry-After when it
// gave one (capped at the policy's max), else the backoff's step.
std::chrono::milliseconds retry_delay(const common::BackoffPolicy& policy, int attempt,
                                      std::optional<std::chrono::milliseconds> retry_after,
                                      double draw);

}  // namespace sluice::http_plugin
