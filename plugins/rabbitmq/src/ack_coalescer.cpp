// basic.ack coalescing (see ack_coalescer.hpp).
#include "ack_coalescer.hpp"

#include <algorithm>
#include <limits>

namespace sluice::rabbitmq {

std::vector<AckCoalescer::Ack> AckCoalescer::take() {
  std::vector<Ack> out;
  if (to_ack_.empty()) return out;
  for (uint64_t tag : to_ack_) unsettled_.erase(tag);
  std::sort(to_ack_.begin(), to_ack_.end());
  to_ack_.erase(std::unique(to_ack_.begin(), to_ack_.end()), to_ack_.end());
  uint64_t lowest = unsettled_.empty() ? std::numeric_limits<uint64_t>::max() : *unsettled_.begin();
  size_t prefix = 0;
  while (prefix < to_ack_.size() && to_ack_[prefix] < lowest) ++prefix;
  if (prefix > 0) out.push_back({to_ack_[prefix - 1], prefix > 1});
  for (size_t i = prefix; i < to_ack_.size(); ++i) out.push_back({to_ack_[i], false});
  to_ack_.clear();
  return out;
}

}  // namespace sluice::rabbitmq
