// A route throttle's shared budget kept by a key/value connector (Redis):
// each lease is a `take` request to the connector's reserved `@kv` subject,
// sent from the worker that needs it and waited for there, at most the
// configured timeout (about one Redis round trip per lease). When the
// connector does not answer in time, the throttle decides with this node's
// own bucket for a second before it asks again, and says so in the log and
// in sluice_route_throttle_shared_fallbacks_total.
//
// The `@kv` request {"op":"take","key":K,"count":N,"limit":L,"window_ms":W}
// grants up to N of the L tokens of K's current window and answers
// {"value":[granted, ms until the window resets]}.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "routing/route_spec.hpp"
#include "routing/shared_budget.hpp"

namespace sluice::runtime {

class Connector;
class Dispatch;
struct RouteStats;

class ConnectorBudget : public routing::SharedBudget {
 public:
  using Clock = std::chrono::steady_clock;

  ConnectorBudget(Connector& store, const routing::SharedThrottle& settings, double rate,
                  RouteStats& route);

  // The worker this budget's throttle runs on; requests go out through it.
  void bind(Dispatch& out) { out_ = &out; }

  std::optional<Grant> take(std::string_view key, uint32_t want) override;
  uint32_t lease_size() const override { return lease_; }

 private:
  std::optional<Grant> fall_back(const std::string& why);

  Connector& store_;
  RouteStats& route_;
  Dispatch* out_ = nullptr;
  std::string prefix_;  // key_prefix + route name + ":"
  uint32_t limit_;
  uint32_t lease_;
  std::chrono::milliseconds window_;
  std::chrono::milliseconds timeout_;
  Clock::time_point local_until_{};  // deciding locally until then
  bool warned_ = false;              // the current outage is logged
};

// Reads a `take` answer's payload; nothing when it is not one.
std::optional<routing::SharedBudget::Grant> parse_take_reply(std::string_view payload,
                                                             uint32_t want);

}  // namespace sluice::runtime
