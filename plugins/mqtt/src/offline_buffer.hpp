// Publishes held while the broker is unreachable, bounded by
// `max_buffered`: a full buffer drops its oldest entry (handed back to the
// caller to fail, count and log) or refuses the new one, per the policy.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <sluice/plugin.hpp>

#include "message_mapping.hpp"
#include "mqtt_settings.hpp"

namespace sluice::mqtt {

struct PendingPublish {
  using Clock = std::chrono::steady_clock;
  Outgoing message;
  Completion completion;
  Clock::time_point deadline;
};

class OfflineBuffer {
 public:
  OfflineBuffer(size_t capacity, BufferOverflow overflow)
      : capacity_(capacity), overflow_(overflow) {}

  enum class Added { kAdded, kAddedDroppingOldest, kRefused };
  // Adds `p` (moved from unless refused). On kAddedDroppingOldest the
  // dropped entry is in `dropped`.
  Added add(PendingPublish& p, std::optional<PendingPublish>& dropped);

  // Takes the oldest entry, if any.
  std::optional<PendingPublish> take();
  // Puts an entry back at the front (it could not be sent after all).
  void put_back(PendingPublish p) { items_.push_front(std::move(p)); }
  // Removes entries whose deadline passed.
  std::deque<PendingPublish> take_expired(PendingPublish::Clock::time_point now);

  size_t size() const { return items_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  BufferOverflow overflow_;
  std::deque<PendingPublish> items_;
};

}  // namespace sluice::mqtt
