#include "pending_requests.hpp"

namespace sluice::http_plugin {

uint64_t PendingRequests::add_message(const std::shared_ptr<PendingRequest>& request) {
  std::lock_guard lock(mutex_);
  uint64_t id = next_id_++;
  messages_.emplace(id, request);
  return id;
}

void PendingRequests::forget_message(uint64_t ack_id) {
  std::lock_guard lock(mutex_);
  messages_.erase(ack_id);
}

uint64_t PendingRequests::add_request(const std::shared_ptr<PendingRequest>& request) {
  std::lock_guard lock(mutex_);
  uint64_t id = next_id_++;
  requests_.emplace(id, request);
  return id;
}

void PendingRequests::forget_request(uint64_t request_id) {
  std::lock_guard lock(mutex_);
  requests_.erase(request_id);
}

void PendingRequests::ack(uint64_t ack_id, Outcome outcome) {
  std::shared_ptr<PendingRequest> request;
  {
    std::lock_guard lock(mutex_);
    auto it = messages_.find(ack_id);
    if (it == messages_.end()) return;
    request = std::move(it->second);
    messages_.erase(it);
  }
  net::post(request->timer.get_executor(), [request, outcome] {
    if (outcome == Outcome::kNack) request->failed = true;
    if (request->remaining > 0 && --request->remaining == 0) request->timer.cancel();
  });
}

bool PendingRequests::reply(uint64_t request_id, ReplyData reply) {
  std::shared_ptr<PendingRequest> request;
  {
    std::lock_guard lock(mutex_);
    auto it = requests_.find(request_id);
    if (it == requests_.end()) return false;
    request = it->second.lock();
  }
  if (!request) return false;
  net::post(request->timer.get_executor(), [request, reply = std::move(reply)]() mutable {
    if (!request->answered && !request->reply) request->reply = std::move(reply);
  });
  return true;
}

void PendingRequests::clear() {
  std::lock_guard lock(mutex_);
  messages_.clear();
  requests_.clear();
}

}  // namespace sluice::http_plugin
