// Requests this connector sent (MQTT 5): each carries a fresh correlation
// id and the connector's response topic; a message arriving there with a
// known correlation id completes its request, an unknown one is counted.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <sluice/plugin.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace sluice::mqtt {

class ReplyRouter {
 public:
  using Clock = std::chrono::steady_clock;

  // Registers `completion` (taken) and returns its correlation id.
  std::string add(Completion& completion, Clock::time_point deadline);
  // Gives the completion of `id` back (its publish could not be sent).
  bool take_back(const std::string& id, Completion& completion);
  // Completes the request `id` with `reply`; false if unknown (late, foreign).
  bool complete(const std::string& id, const OutMessage& reply);
  // Fails the requests whose deadline passed; returns how many.
  size_t expire(Clock::time_point now);
  void fail_all(Status status, const std::string& why);
  size_t pending() const;

 private:
  struct Pending {
    Completion completion;
    Clock::time_point deadline;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Pending> pending_;
  uint64_t next_ = 1;
  uint64_t salt_ = static_cast<uint64_t>(Clock::now().time_since_epoch().count());
};

}  // namespace sluice::mqtt
