// Where a route's message goes when it has several outputs: all of them
// (fanout), the first healthy one by priority (fallback, which returns to
// the primary as soon as it is healthy again), or the next healthy one in
// turn (round_robin). Health comes from the caller (connector health).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "routing/template.hpp"

namespace sluice::routing {

enum class OutputPolicy : uint8_t { kFanout, kFallback, kRoundRobin };

std::optional<OutputPolicy> parse_output_policy(std::string_view name);
std::string_view output_policy_name(OutputPolicy policy);

// One output: "connector" or "connector:subject-template".
struct OutputTarget {
  std::string connector;
  // Empty literal template when no subject was given: the message keeps its
  // subject (the sink decides).
  Template subject;
  bool has_subject = false;
  std::string text;  // as written, for messages and /stats
};

// A route's outputs and the policy between them; immutable, shared by all
// workers. The choice state lives in an OutputSelector per worker.
class OutputGroup {
 public:
  OutputGroup() = default;
  OutputGroup(OutputPolicy policy, std::vector<OutputTarget> targets)
      : policy_(policy), targets_(std::move(targets)) {}

  OutputPolicy policy() const { return policy_; }
  const std::vector<OutputTarget>& targets() const { return targets_; }

 private:
  OutputPolicy policy_ = OutputPolicy::kFanout;
  std::vector<OutputTarget> targets_;
};

// Picks the targets of one OutputGroup for each message, remembering the
// round-robin position and the fallback target in use. One per worker and
// route (not thread-safe).
class OutputSelector {
 public:
  // Appends the indexes (into group.targets()) of the targets this message
  // goes to. `healthy(i)` says whether target i can take messages now. When
  // no target is healthy, fallback picks the primary and round_robin the
  // next in turn, so the message waits on a sink (retries, backpressure)
  // instead of vanishing.
  template <class Healthy>
  void select(const OutputGroup& group, Healthy&& healthy, std::vector<size_t>& out) {
    const size_t n = group.targets().size();
    if (n == 0) return;
    switch (group.policy()) {
      case OutputPolicy::kFanout:
        for (size_t i = 0; i < n; ++i) out.push_back(i);
        return;
      case OutputPolicy::kFallback: {
        size_t chosen = 0;
        for (size_t i = 0; i < n; ++i) {
          if (healthy(i)) {
            chosen = i;
            break;
          }
        }
        if (chosen != active_) {
          active_ = chosen;
          ++switches_;
        }
        out.push_back(chosen);
        return;
      }
      case OutputPolicy::kRoundRobin: {
        size_t chosen = next_ % n;
        for (size_t k = 0; k < n; ++k) {
          size_t i = (next_ + k) % n;
          if (healthy(i)) {
            chosen = i;
            break;
          }
        }
        next_ = (chosen + 1) % n;
        out.push_back(chosen);
        return;
      }
    }
  }

  // Fallback: the target in use (0 = primary) and how often it changed.
  size_t active() const { return active_; }
  uint64_t switches() const { return switches_; }

 private:
  size_t active_ = 0;
  size_t next_ = 0;
  uint64_t switches_ = 0;
};

}  // namespace sluice::routing
