#include "runtime/retry_backoff.hpp"

#include <algorithm>
#include <cmath>

namespace sluice::runtime {

std::chrono::milliseconds RetryBackoff::after(const config::RetryPolicy& policy, int attempt) {
  double base = policy.initial_backoff_ms * std::pow(2.0, std::max(0, attempt - 1));
  base = std::min(base, static_cast<double>(policy.max_backoff_ms));
  std::lock_guard lock(mutex_);
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(base * jitter(rng_)));
}

}  // namespace sluice::runtime
