#include <algorithm>
#include <cmath>
#include <sluice/common/backoff.hpp>

namespace sluice::common {

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int attempt, double draw) {
  double step = static_cast<double>(std::max<int64_t>(0, policy.initial_ms)) *
                std::pow(2.0, std::max(0, attempt - 1));
  step = std::min(step, static_cast<double>(std::max<int64_t>(0, policy.max_ms)));
  double share = 0.5 + 0.5 * std::clamp(draw, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(step * share));
}

}  // namespace sluice::common
