#include <algorithm>
#include <cmath>
#include <sluice/common/backoff.hpp>

namespace sluice::common {

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int attempt, double draw) {
  double step = static_cast<double>(std::max<int64_t>(0, policy.initial_ms)) *
                std::pow(2.0, std::clamp(attempt - 1, 0, 62));
  step = std::min(step, static_cast<double>(std::max<int64_t>(0, policy.max_ms)));
  double low = std::max(0.0, policy.spread_low);
  double high = std::max(low, policy.spread_high);
  double wait = step * (low + (high - low) * std::clamp(draw, 0.0, 1.0));
  if (step > 0) wait = std::max(wait, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(wait));
}

}  // namespace sluice::common
