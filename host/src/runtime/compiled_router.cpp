// The router built on the routing engine (host/src/routing): routes found
// through the RouteTable index, `where` predicates on payload fields read
// by scanning (no DOM unless something else parsed it), transforms on a
// copy per route, templated subjects,
// output groups (fanout, fallback, round_robin), per-key throttles released
// by timers, dedup windows and dead letters. One immutable router; its
// mutable parts (throttles, selectors, dedup) exist once per worker.
#include <algorithm>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "message/dead_letter.hpp"
#include "routing/dedup_window.hpp"
#include "routing/route_spec.hpp"
#include "routing/route_table.hpp"
#include "runtime/connector.hpp"
#include "runtime/connector_budget.hpp"
#include "runtime/router.hpp"
#include "runtime/source_choice.hpp"
#include "runtime/timer_service.hpp"

namespace sluice::runtime {

TargetSpec parse_target(const std::string& text) {
  auto colon = text.find(':');
  if (colon == std::string::npos) return {text, ""};
  return {text.substr(0, colon), text.substr(colon + 1)};
}

namespace {

using routing::Clock;

struct ResolvedTarget {
  Connector* connector = nullptr;
  const routing::OutputTarget* target = nullptr;
};

struct RouteEntry {
  std::unique_ptr<RouteStats> stats;
  // Set for a route with a source policy (priority, fallback, round_robin).
  std::unique_ptr<SourceChoice> sources;
  std::vector<ResolvedTarget> outputs;
  std::optional<ResolvedTarget> dead_letter;
  Connector* shared_throttle_store = nullptr;  // throttle.shared's connector
};

// What one worker keeps per route.
struct WorkerRouteState {
  routing::OutputSelector selector;
  std::unique_ptr<ConnectorBudget> shared_budget;  // outlives the throttle using it
  std::unique_ptr<routing::Throttle> throttle;
  std::unique_ptr<routing::DedupWindow> dedup;
  std::optional<Clock::time_point> timer_due;  // the release timer armed, if any
  // The delivery each message the throttle holds belongs to; it holds one
  // reference on it until the message is released or dropped.
  std::unordered_map<const message::Envelope*, Delivery*> held_by;
};

class CompiledRouter : public Router {
 public:
  CompiledRouter(routing::RouteTable table, std::vector<RouteEntry> entries, std::string node_id,
                 size_t workers, TimerService* timers)
      : table_(std::move(table)),
        entries_(std::move(entries)),
        node_id_(std::move(node_id)),
        timers_(timers),
        clock_(timers ? timers->clock() : steady_clock_),
        state_(workers) {
    for (auto& entry : entries_) {
      if (!entry.sources) continue;
      for (size_t m = 0; m < entry.sources->members().size(); ++m)
        if (Connector* c = entry.sources->members()[m])
          gates_[c].push_back({entry.sources.get(), m});
    }
    for (auto& per_worker : state_) {
      per_worker.resize(entries_.size());
      for (size_t r = 0; r < entries_.size(); ++r) {
        const auto& route = table_.route(static_cast<routing::RouteTable::RouteId>(r));
        if (route.throttle && route.throttle->shared && entries_[r].shared_throttle_store)
          per_worker[r].shared_budget = std::make_unique<ConnectorBudget>(
              *entries_[r].shared_throttle_store, *route.throttle->shared,
              route.throttle->spec.rate, *entries_[r].stats);
        if (route.throttle)
          per_worker[r].throttle = std::make_unique<routing::Throttle>(
              route.throttle->spec, per_worker[r].shared_budget.get());
        if (route.dedup)
          per_worker[r].dedup =
              std::make_unique<routing::DedupWindow>(route.dedup->window, route.dedup->max_keys);
      }
    }
  }

  bool route(const message::EnvelopePtr& message, Delivery& delivery,
             Dispatch& out) const override {
    thread_local std::vector<routing::RouteTable::RouteId> matched;
    matched.clear();
    const std::string& source = message->origin;
    table_.match(source, message->subject, matched);
    if (matched.empty()) return false;
    routing::PayloadScan scan;
    routing::MessageContext ctx{*message, source, node_id_,
                                message->json_parsed() ? nullptr : &scan};
    auto& worker_state = state_[out.worker_index() % state_.size()];
    for (auto id : matched) {
      const auto& route = table_.route(id);
      const auto& entry = entries_[id];
      auto& st = worker_state[id];
      // standby drop: a message of a source the route is not taking from
      // now is acked and counted, not matched. (With standby: pause it was
      // held back at ingest instead.)
      if (entry.sources && !entry.sources->pauses()) {
        auto member = entry.sources->member_of(source);
        if (member && !entry.sources->take(*member)) continue;
      }
      entry.stats->matched.inc();
      auto verdict = route.where.evaluate(ctx);
      if (verdict == routing::Verdict::kNotJson) {
        entry.stats->parse_errors.inc();
        if (entry.dead_letter) {
          entry.stats->dead_lettered.inc();
          send_to(*entry.dead_letter, message::dead_letter_of(*message, "payload is not JSON"),
                  delivery, out, ctx, entry, nullptr);
        } else {
          entry.stats->filtered.inc();
        }
        continue;
      }
      if (verdict == routing::Verdict::kNoMatch) {
        entry.stats->filtered.inc();
        continue;
      }
      // From here on the route handles its own transformed copy, if any.
      message::EnvelopePtr routed = message;
      std::optional<routing::MessageContext> transformed_ctx;
      if (route.transform) {
        bool not_json = false;
        std::string error;
        routed = transformed(*route.transform, *message, source, not_json, error);
        if (!routed) {
          // As `where` does with a payload that is not JSON.
          if (not_json) entry.stats->parse_errors.inc();
          if (entry.dead_letter) {
            entry.stats->dead_lettered.inc();
            send_to(*entry.dead_letter, message::dead_letter_of(*message, error), delivery, out,
                    ctx, entry, nullptr);
          } else {
            entry.stats->filtered.inc();
          }
          continue;
        }
        transformed_ctx.emplace(routing::MessageContext{*routed, source, node_id_, nullptr});
      }
      const routing::MessageContext& rctx = transformed_ctx ? *transformed_ctx : ctx;
      if (st.dedup) {
        std::string key;
        route.dedup->key.render(rctx, key);
        if (st.dedup->is_duplicate(key, clock_.now())) {
          entry.stats->filtered.inc();
          continue;
        }
      }
      if (st.throttle) {
        std::string key;
        if (route.throttle->key) route.throttle->key->render(rctx, key);
        if (st.shared_budget) st.shared_budget->bind(out);
        auto now = clock_.now();
        auto decision = st.throttle->offer(key, routed, now);
        account_drop(decision, entry, st);
        if (decision.action == routing::ThrottleDecision::Action::kDropped) continue;
        if (decision.action == routing::ThrottleDecision::Action::kHeld) {
          entry.stats->throttled.inc();
          st.held_by[routed.get()] = &delivery;
          delivery.hold();  // settled when released or dropped
          arm_release(id, st, out);
          continue;
        }
      }
      send_outputs(id, routed, delivery, out, rctx);
    }
    return true;
  }

  std::map<std::string, std::vector<std::string>> subscriptions() const override {
    return table_.subscriptions();
  }

  std::vector<std::string> sources() const override {
    std::vector<std::string> out;
    for (const auto& [connector, patterns] : table_.subscriptions()) out.push_back(connector);
    return out;
  }

  RouteCounts counts() const override { return {table_.size(), 0}; }

  bool polices_source(const Connector& source) const override { return gates_.count(&source) > 0; }

  bool admit_source(Connector& source, std::chrono::milliseconds wait) const override {
    if (gates_.empty()) return true;
    auto it = gates_.find(&source);
    if (it == gates_.end()) return true;
    for (const auto& [choice, member] : it->second)
      if (!choice->offer(member, wait)) return false;
    return true;
  }

 private:
  // The message as `transform` makes it: a copy, since the source message
  // is shared by every route it matched. Nothing, with `error`, when its
  // payload is not JSON (`not_json`) or the transform cannot be applied.
  message::EnvelopePtr transformed(const routing::Transform& transform,
                                   const message::Envelope& message, std::string_view source,
                                   bool& not_json, std::string& error) const {
    message::EnvelopePtr copy = message::copy_content(message);
    if (!copy->json()) {
      not_json = true;
      error = copy->json_error();
      return nullptr;
    }
    routing::MessageContext before{*copy, source, node_id_, nullptr};
    copy->edit_json([&](boost::json::value& doc) { error = transform.apply(before, doc); });
    if (!error.empty()) {
      error = "transform: " + error;
      return nullptr;
    }
    return copy;
  }

  // A message the throttle let go of without sending is settled here:
  // dropped on purpose, so its source is acked, and counted.
  void account_drop(routing::ThrottleDecision& decision, const RouteEntry& entry,
                    WorkerRouteState& st) const {
    if (!decision.dropped) return;
    if (decision.reason == routing::DropReason::kCoalesced)
      entry.stats->coalesced.inc();
    else
      entry.stats->dropped.inc();
    // The offered message itself was never held: nothing to settle for it.
    bool was_held = decision.action != routing::ThrottleDecision::Action::kDropped;
    if (!was_held) return;
    if (Delivery* delivery = take_held(st, *decision.dropped)) delivery->settle(true);
  }

  // The delivery a held message belongs to, forgotten as it leaves the throttle.
  static Delivery* take_held(WorkerRouteState& st, const message::Envelope& message) {
    auto it = st.held_by.find(&message);
    if (it == st.held_by.end()) return nullptr;
    Delivery* delivery = it->second;
    st.held_by.erase(it);
    return delivery;
  }

  void send_outputs(routing::RouteTable::RouteId id, const message::EnvelopePtr& message,
                    Delivery& delivery, Dispatch& out, const routing::MessageContext& ctx) const {
    const auto& route = table_.route(id);
    const auto& entry = entries_[id];
    auto& st = state_[out.worker_index() % state_.size()][id];
    thread_local std::vector<size_t> chosen;
    chosen.clear();
    st.selector.select(
        route.to,
        [&](size_t i) {
          Connector* c = entry.outputs[i].connector;
          return c && c->health().healthy;
        },
        chosen);
    for (size_t i : chosen) send_to(entry.outputs[i], message, delivery, out, ctx, entry, &entry);
  }

  void send_to(const ResolvedTarget& t, const message::EnvelopePtr& message, Delivery& delivery,
               Dispatch& out, const routing::MessageContext& ctx, const RouteEntry& entry,
               const RouteEntry* dead_letter_of) const {
    std::string subject;
    if (t.target->has_subject)
      t.target->subject.render(ctx, subject);
    else
      subject = message->subject;
    std::optional<Target> dl;
    if (dead_letter_of && dead_letter_of->dead_letter) {
      const auto& d = *dead_letter_of->dead_letter;
      std::string dl_subject;
      if (d.target->has_subject)
        d.target->subject.render(ctx, dl_subject);
      else
        dl_subject = message->subject;
      dl = Target{d.connector, std::move(dl_subject)};
    }
    out.send(delivery, Output(OutputKind::kPublish, Target{t.connector, std::move(subject)},
                              message, std::move(dl), entry.stats.get()));
  }

  void arm_release(routing::RouteTable::RouteId id, WorkerRouteState& st, Dispatch& out) const {
    auto due = st.throttle->next_release_time();
    if (!due || !timers_) return;
    if (st.timer_due && *st.timer_due <= *due) return;  // an earlier timer will re-arm
    st.timer_due = *due;
    // Rounded up, not down: a timer never fires before the release is due
    // (on a virtual clock it fires exactly then).
    auto delay = std::chrono::ceil<std::chrono::milliseconds>(*due - clock_.now());
    if (delay.count() < 0) delay = std::chrono::milliseconds(0);
    Dispatch* worker = &out;
    // The timer thread only posts; the release runs on the owning worker,
    // which alone touches this throttle.
    timers_->start(delay, std::chrono::milliseconds(0), [this, id, worker] {
      worker->post([this, id, worker] { release(id, *worker); });
    });
  }

  void release(routing::RouteTable::RouteId id, Dispatch& out) const {
    auto& st = state_[out.worker_index() % state_.size()][id];
    st.timer_due.reset();
    if (st.shared_budget) st.shared_budget->bind(out);
    st.throttle->release_due(clock_.now(), [&](const auto& released) {
      const message::EnvelopePtr& message = released.message;
      Delivery* delivery = take_held(st, *message);
      routing::MessageContext ctx{*message, message->origin, node_id_, nullptr};
      send_outputs(id, message, *delivery, out, ctx);
      delivery->settle(true);  // the hold taken when it was throttled
    });
    arm_release(id, st, out);
  }

  routing::RouteTable table_;
  std::vector<RouteEntry> entries_;
  std::string node_id_;
  TimerService* timers_;
  // The timers' clock: a throttle decides on the same time its release
  // timer is measured on (virtual under `sluice test`).
  static inline const routing::SteadyClock steady_clock_{};
  const Clock& clock_;
  // [worker][route]; each worker touches only its own row.
  mutable std::vector<std::vector<WorkerRouteState>> state_;
  // The source policies each connector is a member of (with its place).
  std::unordered_map<const Connector*, std::vector<std::pair<SourceChoice*, size_t>>> gates_;
};

// standby: pause holds a connector back at ingest, for every route that
// reads it: so it may belong to that one route only.
void check_paused_sources_are_exclusive(const routing::RouteTable& table,
                                        const std::vector<std::string>& contexts,
                                        std::vector<std::string>& errors) {
  std::unordered_map<std::string, std::vector<size_t>> readers;
  for (size_t r = 0; r < table.size(); ++r)
    for (const auto& source : table.route(static_cast<routing::RouteTable::RouteId>(r)).from) {
      auto& list = readers[source.connector];
      if (list.empty() || list.back() != r) list.push_back(r);
    }
  for (size_t r = 0; r < table.size(); ++r) {
    const auto& route = table.route(static_cast<routing::RouteTable::RouteId>(r));
    if (!route.sources.selects() || route.sources.standby != routing::StandbyAction::kPause)
      continue;
    for (const auto& source : route.from) {
      for (size_t other : readers[source.connector]) {
        if (other == r) continue;
        errors.push_back(contexts[r] + ".from: standby: pause holds '" + source.connector +
                         "' back while it is on standby, but route '" +
                         table.route(static_cast<routing::RouteTable::RouteId>(other)).name +
                         "' reads it too; use standby: drop, or give that route its own "
                         "connector");
        break;
      }
    }
  }
}

}  // namespace

std::function<common::SubjectSyntax(std::string_view connector)> subject_syntax_of(
    const ConnectorLookup& lookup) {
  return [lookup](std::string_view name) {
    const Connector* c = lookup(std::string(name));
    return c ? c->plugin().subject_syntax() : common::SubjectSyntax::kAuto;
  };
}

std::shared_ptr<const Router> build_router(const std::vector<config::RouteConfig>& routes,
                                           const ConnectorLookup& lookup,
                                           metrics::Registry& registry, const std::string& node_id,
                                           size_t workers, TimerService* timers,
                                           std::vector<std::string>& errors) {
  routing::RouteCompileOptions options;
  options.check_connector =
      [&](std::string_view name,
          routing::RouteCompileOptions::Role role) -> std::optional<std::string> {
    Connector* c = lookup(std::string(name));
    if (!c) return "unknown connector '" + std::string(name) + "'";
    if (role == routing::RouteCompileOptions::Role::kSource && !c->is_source())
      return "connector '" + c->name() + "' (plugin " + c->plugin().name() + ") is not a source";
    if (role == routing::RouteCompileOptions::Role::kSink && !c->is_sink())
      return "connector '" + c->name() + "' (plugin " + c->plugin().name() + ") is not a sink";
    if (role == routing::RouteCompileOptions::Role::kRequest && !c->can_request())
      return "connector '" + c->name() + "' (plugin " + c->plugin().name() +
             ") takes no requests; a shared throttle needs a key/value connector (redis)";
    return std::nullopt;
  };
  options.syntax_for = subject_syntax_of(lookup);
  routing::RouteTable table;
  std::vector<RouteEntry> entries;
  std::vector<std::string> contexts;
  static const routing::SteadyClock steady_clock;
  const routing::Clock& clock = timers ? timers->clock() : steady_clock;
  int index = 0;
  for (const auto& rc : routes) {
    ++index;
    std::string context = rc.where.file.empty() ? "routes[" + std::to_string(index - 1) + "]"
                                                : rc.where.str() + ": route";
    std::string name = rc.name;
    if (const auto* n = rc.spec.if_contains("name"); name.empty() && n && n->is_string())
      name = n->get_string();
    if (name.empty()) name = "route-" + std::to_string(index);
    boost::json::object spec = rc.spec;
    spec["name"] = name;
    options.files_dir = std::filesystem::path(rc.where.file).parent_path().string();
    auto compiled = routing::compile_route(spec, options, context + " '" + name + "'", errors);
    if (!compiled) continue;
    RouteEntry entry;
    entry.stats = std::make_unique<RouteStats>(registry, name);
    if (compiled->sources.selects()) {
      std::vector<Connector*> members;
      for (const auto& source : compiled->from) members.push_back(lookup(source.connector));
      entry.sources =
          std::make_unique<SourceChoice>(*compiled, std::move(members), registry, clock, timers);
    }
    contexts.push_back(context + " '" + name + "'");
    for (const auto& t : compiled->to.targets())
      entry.outputs.push_back({lookup(t.connector), nullptr});
    if (compiled->dead_letter)
      entry.dead_letter = ResolvedTarget{lookup(compiled->dead_letter->connector), nullptr};
    if (compiled->throttle && compiled->throttle->shared)
      entry.shared_throttle_store = lookup(compiled->throttle->shared->connector);
    auto id = table.add(std::move(*compiled));
    // Point at the targets now owned by the table (stable: held by pointer).
    const auto& owned = table.route(id);
    for (size_t i = 0; i < entry.outputs.size(); ++i)
      entry.outputs[i].target = &owned.to.targets()[i];
    if (entry.dead_letter) entry.dead_letter->target = &*owned.dead_letter;
    entries.push_back(std::move(entry));
  }
  check_paused_sources_are_exclusive(table, contexts, errors);
  return std::make_shared<CompiledRouter>(std::move(table), std::move(entries), node_id,
                                          std::max<size_t>(1, workers), timers);
}

}  // namespace sluice::runtime
