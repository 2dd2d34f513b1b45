#include "partition_tracker.hpp"

#include <algorithm>
#include <sluice/brief_lock.hpp>

namespace sluice::kafka {

PartitionTracker::Arrival PartitionTracker::on_message(int64_t offset) {
  BriefLock lock(mutex_);  // per message, against the workers' complete()
  if (!started_) {
    started_ = true;
    committed_ = offset;
    next_ = offset;
  }
  if (offset >= next_) {
    // Offsets between next_ and this one do not exist (compaction,
    // transaction markers): nothing to wait for there.
    if (window_.empty()) committed_ = offset;
    window_.emplace_back(offset, State::kInFlight);
    next_ = offset + 1;
    ++in_flight_;
    return Arrival::kNew;
  }
  auto it = find_locked(offset);
  if (it == window_.end() || it->second != State::kRefused) return Arrival::kSkip;
  it->second = State::kInFlight;
  ++in_flight_;
  return Arrival::kRedeliver;
}

std::optional<int64_t> PartitionTracker::complete(int64_t offset) {
  BriefLock lock(mutex_);  // per message, against the reader's on_message()
  auto it = find_locked(offset);
  if (it == window_.end() || it->second != State::kInFlight) return std::nullopt;
  it->second = State::kDone;
  --in_flight_;
  int64_t before = committed_;
  sweep_locked();
  if (committed_ == before) return std::nullopt;
  return committed_;
}

bool PartitionTracker::refuse(int64_t offset) {
  std::lock_guard lock(mutex_);
  auto it = find_locked(offset);
  if (it == window_.end() || it->second != State::kInFlight) return false;
  it->second = State::kRefused;
  --in_flight_;
  if (!seek_target_ || offset < *seek_target_) seek_target_ = offset;
  return true;
}

void PartitionTracker::abandon(int64_t offset) {
  std::lock_guard lock(mutex_);
  auto it = find_locked(offset);
  if (it == window_.end() || it->second != State::kInFlight) return;
  it->second = State::kAbandoned;
  --in_flight_;
}

std::optional<int64_t> PartitionTracker::take_seek_target() {
  std::lock_guard lock(mutex_);
  auto target = seek_target_;
  seek_target_.reset();
  return target;
}

void PartitionTracker::restore_seek_target(int64_t offset) {
  std::lock_guard lock(mutex_);
  if (!seek_target_ || offset < *seek_target_) seek_target_ = offset;
}

bool PartitionTracker::seek_wanted() const {
  std::lock_guard lock(mutex_);
  return seek_target_.has_value();
}

std::optional<int64_t> PartitionTracker::commit_point() const {
  std::lock_guard lock(mutex_);
  if (!started_) return std::nullopt;
  return committed_;
}

size_t PartitionTracker::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_;
}

size_t PartitionTracker::tracked() const {
  std::lock_guard lock(mutex_);
  return window_.size();
}

int64_t PartitionTracker::resolve_low_bits(uint64_t low, unsigned bits) const {
  BriefLock lock(mutex_);  // per ack
  const uint64_t span = uint64_t{1} << bits;
  const uint64_t base = static_cast<uint64_t>(committed_) & ~(span - 1);
  uint64_t candidate = base | (low & (span - 1));
  if (candidate < static_cast<uint64_t>(committed_)) candidate += span;
  return static_cast<int64_t>(candidate);
}

PartitionTracker::Window::iterator PartitionTracker::find_locked(int64_t offset) {
  auto it = std::lower_bound(window_.begin(), window_.end(), offset,
                             [](const auto& entry, int64_t o) { return entry.first < o; });
  return it != window_.end() && it->first == offset ? it : window_.end();
}

void PartitionTracker::sweep_locked() {
  while (!window_.empty() && window_.front().second == State::kDone) window_.pop_front();
  committed_ = window_.empty() ? next_ : window_.front().first;
}

}  // namespace sluice::kafka
