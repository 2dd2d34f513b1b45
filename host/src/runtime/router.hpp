// The routing step a worker runs for each message: which routes match it,
// whether their filters pass, and which outputs it goes to. Built once from
// the config (and the script), immutable, shared by all workers; a reload
// swaps in a new one.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <sluice/common/subject_pattern.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "metrics/registry.hpp"
#include "runtime/delivery.hpp"
#include "runtime/output.hpp"
#include "runtime/route_stats.hpp"

namespace sluice::runtime {

// Where the router sends what it decided.
class Dispatch {
 public:
  virtual ~Dispatch() = default;
  // Sends one output; the delivery is held until it settles.
  virtual void send(Delivery& delivery, Output output) = 0;
  // Sends a request that belongs to no message (a shared throttle's lease):
  // its outcome reaches only output.on_reply.
  virtual void send_unowned(Output output) = 0;
  // Which worker is routing (per-worker router state: throttles, selectors).
  virtual size_t worker_index() const = 0;
  // Runs `task` later on this same worker (timer-driven releases).
  virtual void post(std::function<void()> task) = 0;
};

using ConnectorLookup = std::function<Connector*(const std::string& name)>;

// The subject syntax each connector's plugin declares, for
// RouteCompileOptions::syntax_for (kAuto for an unknown connector).
std::function<common::SubjectSyntax(std::string_view connector)> subject_syntax_of(
    const ConnectorLookup& lookup);

// "connector" or "connector:subject".
struct TargetSpec {
  std::string connector;
  std::string subject;
};
TargetSpec parse_target(const std::string& text);

// How many routes (YAML and the script's sluice.route) and script handlers
// a router holds, for `sluice check`.
struct RouteCounts {
  size_t routes = 0;
  size_t handlers = 0;
};

class Router {
 public:
  virtual ~Router() = default;
  // Routes one message. Returns false when no route matched it.
  // `message` is delivery.message().
  virtual bool route(const message::EnvelopePtr& message, Delivery& delivery,
                     Dispatch& out) const = 0;
  // The subject patterns each source connector must subscribe to.
  virtual std::map<std::string, std::vector<std::string>> subscriptions() const = 0;
  // The connectors routes read from.
  virtual std::vector<std::string> sources() const = 0;
  virtual RouteCounts counts() const = 0;
  // At ingest, before a message of `source` is queued: routes with a source
  // policy note that it delivers, and with standby: pause hold a standby
  // source back for up to `wait` (false: the source hears backpressure).
  virtual bool admit_source(Connector& source, std::chrono::milliseconds wait) const {
    (void)source;
    (void)wait;
    return true;
  }
  // True when a route's source policy governs `source`: admit_source must
  // then be asked message by message, each queued before the next is
  // asked, so that turns and switches keep the order the policy promises.
  virtual bool polices_source(const Connector& source) const {
    (void)source;
    return false;
  }
};

// Compiles the config's routes. Every problem goes to `errors`, each
// prefixed with the route's location.
// `workers` sizes the per-worker state; `timers` arms throttle releases
// (may be null when only checking).
class TimerService;
std::shared_ptr<const Router> build_router(const std::vector<config::RouteConfig>& routes,
                                           const ConnectorLookup& lookup,
                                           metrics::Registry& registry, const std::string& node_id,
                                           size_t workers, TimerService* timers,
                                           std::vector<std::string>& errors);

}  // namespace sluice::runtime
