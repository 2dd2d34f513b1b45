// The runtime side of a route's source policy (routing/source_policy.hpp):
// the selector bound to the route's connectors, asking them for their
// health, logging every switch and counting it, the standby drops and the
// paused offers, and showing the active source as a metric.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/registry.hpp"
#include "routing/route_spec.hpp"
#include "routing/source_policy.hpp"

namespace sluice::runtime {

class Connector;
class TimerService;

class SourceChoice {
 public:
  // `members` are the route's `from` connectors by position (resolved).
  // `timers` asks the members' health periodically (none: when only
  // checking a config, nothing runs).
  SourceChoice(const routing::CompiledRoute& route, std::vector<Connector*> members,
               metrics::Registry& registry, const routing::Clock& clock, TimerService* timers);
  ~SourceChoice();
  SourceChoice(const SourceChoice&) = delete;
  SourceChoice& operator=(const SourceChoice&) = delete;

  const std::vector<Connector*>& members() const { return members_; }
  // The member `connector` is, if it is one.
  std::optional<size_t> member_of(std::string_view connector) const;
  std::optional<size_t> member_of(const Connector& connector) const;
  // standby pause: standby sources are held back at ingest, and what got
  // in is taken. standby drop: the choice is made per message when routing.
  bool pauses() const { return selector_->spec().standby == routing::StandbyAction::kPause; }

  // At ingest, for every message of a member (liveness; with pause, the
  // wait for its turn). False: refused for now (backpressure).
  bool offer(size_t member, std::chrono::milliseconds wait);
  // When routing (standby drop): whether the member's message is taken;
  // counts it as a standby drop when it is not.
  bool take(size_t member);

 private:
  void on_switch(const routing::SourceSelector::Switch& s);

  std::string route_;
  std::vector<Connector*> members_;
  metrics::Registry& registry_;
  metrics::Counter* standby_dropped_;
  metrics::Counter* standby_paused_;
  std::vector<metrics::Counter*> switches_;  // by SwitchReason
  std::unique_ptr<routing::SourceSelector> selector_;
  TimerService* timers_;
  uint64_t health_timer_ = 0;
};

}  // namespace sluice::runtime
