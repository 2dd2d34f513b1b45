// Requests awaiting their MQTT 5 reply (see reply_router.hpp).
#include "reply_router.hpp"

#include "awaiting_acks.hpp"

namespace sluice::mqtt {

std::string ReplyRouter::add(Completion& completion, Clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  // Unique per process start: a reply meant for an earlier run is not taken.
  std::string id = std::to_string(salt_) + "-" + std::to_string(next_++);
  pending_.emplace(id, Pending{std::move(completion), deadline});
  awaiting_acks().fetch_add(1);
  return id;
}

bool ReplyRouter::take_back(const std::string& id, Completion& completion) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  completion = std::move(it->second.completion);
  pending_.erase(it);
  awaiting_acks().fetch_sub(1);
  return true;
}

bool ReplyRouter::complete(const std::string& id, const OutMessage& reply) {
  Completion c;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return false;
    c = std::move(it->second.completion);
    pending_.erase(it);
    awaiting_acks().fetch_sub(1);
  }
  c.reply(reply);
  return true;
}

size_t ReplyRouter::expire(Clock::time_point now) {
  std::vector<Completion> expired;
  {
    std::lock_guard lock(mutex_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.deadline <= now) {
        expired.push_back(std::move(it->second.completion));
        it = pending_.erase(it);
        awaiting_acks().fetch_sub(1);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : expired) c.fail(Status::kTimeout, "no MQTT reply in time");
  return expired.size();
}

void ReplyRouter::fail_all(Status status, const std::string& why) {
  std::unordered_map<std::string, Pending> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(pending_);
    awaiting_acks().fetch_sub(static_cast<int64_t>(all.size()));
  }
  for (auto& [id, p] : all) p.completion.fail(status, why);
}

size_t ReplyRouter::pending() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

}  // namespace sluice::mqtt
