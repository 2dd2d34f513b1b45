// Requests awaiting their MQTT 5 reply (see reply_router.hpp).
#include "reply_router.hpp"

namespace sluice::mqtt {

std::string ReplyRouter::add(Completion& completion, Clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  // Unique per process start: a reply meant for an earlier run is not taken.
  std::string id = std::to_string(salt_) + "-" + std::to_string(next_++);
  pending_.emplace(id, Pending{std::move(completion), deadline});
  return id;
}

bool ReplyRouter::take_back(const std::string& id, Completion& completion) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  completion = std::move(it->second.completion);
  pending_.erase(it);
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
  }
  for (auto& [id, p] : all) p.completion.fail(status, why);
}

size_t ReplyRouter::pending() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

}  // namespace sluice::mqtt
