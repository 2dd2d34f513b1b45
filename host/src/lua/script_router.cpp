#include "lua/script_router.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>

#include "log/logger.hpp"
#include "lua/script_state.hpp"
#include "message/dead_letter.hpp"
#include "routing/route_spec.hpp"
#include "routing/route_table.hpp"
#include "runtime/connector.hpp"
#include "runtime/route_stats.hpp"

namespace sluice::lua {
namespace {

constexpr const char* kComponent = "script";
constexpr int64_t kErrorLogIntervalMs = 1000;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What the router keeps per handler, shared by every worker.
struct HandlerEntry {
  HandlerSpec spec;
  std::unique_ptr<runtime::RouteStats> stats;
  metrics::Counter* errors = nullptr;
  std::optional<runtime::Target> dead_letter;
  // Error logging at most once per interval, with a count of the rest.
  mutable std::atomic<int64_t> next_log_ms{0};
  mutable std::atomic<uint64_t> suppressed{0};
};

class ScriptRouter : public runtime::Router {
 public:
  ScriptRouter(std::shared_ptr<const runtime::Router> native, routing::RouteTable handlers,
               std::vector<std::unique_ptr<HandlerEntry>> entries,
               std::vector<std::unique_ptr<ScriptState>> states)
      : native_(std::move(native)),
        table_(std::move(handlers)),
        entries_(std::move(entries)),
        states_(std::move(states)) {}

  bool polices_source(const runtime::Connector& source) const override {
    return native_->polices_source(source);
  }
  bool admit_source(runtime::Connector& source, std::chrono::milliseconds wait) const override {
    return native_->admit_source(source, wait);
  }

  bool route(const message::EnvelopePtr& message, runtime::Delivery& delivery,
             runtime::Dispatch& out) const override {
    bool routed = native_->route(message, delivery, out);
    if (entries_.empty()) return routed;
    thread_local std::vector<routing::RouteTable::RouteId> matched;
    matched.clear();
    table_.match(message->origin, message->subject, matched);
    if (matched.empty()) return routed;
    ScriptState& state = *states_[out.worker_index() % states_.size()];
    // `matched` is thread_local: copy before running Lua that could route
    // again (it cannot today, but keep the loop independent of it).
    for (size_t i = 0; i < matched.size(); ++i)
      run_handler(state, matched[i], message, delivery, out);
    return true;
  }

  std::map<std::string, std::vector<std::string>> subscriptions() const override {
    auto subs = native_->subscriptions();
    for (auto& [connector, patterns] : table_.subscriptions()) {
      auto& into = subs[connector];
      for (auto& p : patterns)
        if (std::find(into.begin(), into.end(), p) == into.end()) into.push_back(p);
    }
    return subs;
  }

  std::vector<std::string> sources() const override {
    std::vector<std::string> out;
    for (const auto& [connector, patterns] : subscriptions()) out.push_back(connector);
    return out;
  }

  runtime::RouteCounts counts() const override {
    runtime::RouteCounts c = native_->counts();
    c.handlers += entries_.size();
    return c;
  }

 private:
  void run_handler(ScriptState& state, routing::RouteTable::RouteId id,
                   const message::EnvelopePtr& message, runtime::Delivery& delivery,
                   runtime::Dispatch& out) const {
    const HandlerEntry& entry = *entries_[id];
    bool is_request = entry.spec.kind == HandlerSpec::Kind::kRequest;
    if (is_request && message->reply_to.empty()) return;  // only requests reach on_request
    entry.stats->matched.inc();
    CallContext context;
    context.delivery = &delivery;
    context.out = &out;
    context.stats = entry.stats.get();
    context.dead_letter = entry.dead_letter;
    runtime::Delivery* held = &delivery;
    runtime::Dispatch* dispatch = &out;
    state.call(id, message, context,
               [this, &entry, message, held, dispatch, is_request](const CallResult& result) {
                 finish(entry, message, *held, *dispatch, is_request, result);
               });
  }

  void finish(const HandlerEntry& entry, const message::EnvelopePtr& message,
              runtime::Delivery& delivery, runtime::Dispatch& out, bool is_request,
              const CallResult& result) const {
    if (!result.ok) {
      failed(entry, message, delivery, out, result.error);
      if (is_request) reply(message, delivery, out, R"({"error":"script error"})", {});
      return;
    }
    if (is_request) {
      // An empty body with headers is a reply too (a 204, a 404 without text).
      if (result.returned && (!result.returned->empty() || !result.reply_headers.empty()))
        reply(message, delivery, out, *result.returned, result.reply_headers);
      else
        entry.stats->filtered.inc();
      return;
    }
    if (result.published == 0 && !result.returned) entry.stats->filtered.inc();
  }

  // A `content-type` among `headers` wins over the JSON guess.
  static void reply(const message::EnvelopePtr& message, runtime::Delivery& delivery,
                    runtime::Dispatch& out, std::string body,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
    auto answer = std::make_shared<message::Envelope>();
    bool typed = false;
    for (const auto& [name, value] : headers) {
      answer->headers.push_back({name, value});
      typed = typed || name == "content-type";
    }
    bool json = !body.empty() && (body.front() == '{' || body.front() == '[');
    answer->payload = std::move(body);
    answer->reply_to = message->reply_to;
    if (json && !typed) answer->headers.push_back({"content-type", "application/json"});
    out.send(delivery,
             runtime::Output{
                 runtime::OutputKind::kReply, {&delivery.source(), message->reply_to}, answer});
  }

  void failed(const HandlerEntry& entry, const message::EnvelopePtr& message,
              runtime::Delivery& delivery, runtime::Dispatch& out, const std::string& error) const {
    entry.errors->inc();
    std::string what = entry.dead_letter ? "sent to dead letter " + entry.spec.dead_letter
                                         : "the source message will be nacked";
    log_limited(entry, "handler " + entry.spec.name + " failed: " + error + "; " + what);
    if (entry.dead_letter) {
      entry.stats->dead_lettered.inc();
      auto target = *entry.dead_letter;
      if (target.subject.empty()) target.subject = message->subject;
      out.send(delivery, runtime::Output(runtime::OutputKind::kPublish, std::move(target),
                                         message::dead_letter_of(*message, error), std::nullopt,
                                         entry.stats.get()));
    } else {
      entry.stats->failed.inc();
      delivery.mark_failed();
    }
  }

  static void log_limited(const HandlerEntry& entry, const std::string& text) {
    int64_t now = now_ms();
    int64_t due = entry.next_log_ms.load(std::memory_order_relaxed);
    if (now < due || !entry.next_log_ms.compare_exchange_strong(due, now + kErrorLogIntervalMs)) {
      entry.suppressed.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    uint64_t skipped = entry.suppressed.exchange(0, std::memory_order_relaxed);
    log::warn(kComponent,
              text + (skipped ? " (" + std::to_string(skipped) + " similar errors not logged)"
                              : std::string()));
  }

  std::shared_ptr<const runtime::Router> native_;
  routing::RouteTable table_;
  std::vector<std::unique_ptr<HandlerEntry>> entries_;
  // One per worker; each touched only by its worker.
  std::vector<std::unique_ptr<ScriptState>> states_;
};

}  // namespace

StateLimits limits_from(const config::ScriptLimits& limits) {
  StateLimits out;
  out.instructions = limits.instructions;
  out.memory_bytes = static_cast<size_t>(limits.memory_mb) * 1024 * 1024;
  return out;
}

std::shared_ptr<const runtime::Router> build_script_router(
    const std::string& script_path, StateLimits limits,
    const std::vector<config::RouteConfig>& routes, const runtime::ConnectorLookup& lookup,
    metrics::Registry& registry, const std::string& node_id, size_t workers,
    runtime::TimerService* timers, std::vector<std::string>& errors) {
  std::ifstream in(script_path, std::ios::binary);
  if (!in) {
    errors.push_back(script_path + ": cannot read the script");
    return nullptr;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string source = text.str();

  std::vector<std::unique_ptr<ScriptState>> states;
  workers = std::max<size_t>(1, workers);
  for (size_t i = 0; i < workers; ++i) {
    auto state = std::make_unique<ScriptState>(script_path, node_id, limits, lookup);
    std::string error = state->load(source);
    if (!error.empty()) {
      errors.push_back(error);
      return nullptr;
    }
    if (i > 0 && (state->handlers().size() != states[0]->handlers().size() ||
                  state->routes().size() != states[0]->routes().size())) {
      errors.push_back(script_path +
                       ": the script registered different routes or handlers on a second run; "
                       "registrations must not depend on randomness or time");
      return nullptr;
    }
    states.push_back(std::move(state));
  }

  std::vector<config::RouteConfig> all = routes;
  for (const auto& r : states[0]->routes()) all.push_back(r);
  auto native = runtime::build_router(all, lookup, registry, node_id, workers, timers, errors);

  routing::RouteCompileOptions options;
  options.check_connector =
      [&](std::string_view name,
          routing::RouteCompileOptions::Role role) -> std::optional<std::string> {
    if (role != routing::RouteCompileOptions::Role::kSource) return std::nullopt;
    runtime::Connector* c = lookup(std::string(name));
    if (!c) return "unknown connector '" + std::string(name) + "'";
    if (!c->is_source())
      return "connector '" + c->name() + "' (plugin " + c->plugin().name() + ") is not a source";
    return std::nullopt;
  };
  options.syntax_for = runtime::subject_syntax_of(lookup);
  routing::RouteTable table;
  std::vector<std::unique_ptr<HandlerEntry>> entries;
  for (const auto& spec : states[0]->handlers()) {
    std::string context = spec.where.str() + ": handler '" + spec.name + "'";
    boost::json::object route{{"from", spec.from}, {"to", "-"}};
    auto compiled = routing::compile_route(route, options, context, errors);
    auto entry = std::make_unique<HandlerEntry>();
    entry->spec = spec;
    if (!spec.dead_letter.empty()) {
      auto t = runtime::parse_target(spec.dead_letter);
      runtime::Connector* c = lookup(t.connector);
      if (!c || !c->is_sink())
        errors.push_back(context + ": dead_letter '" + spec.dead_letter +
                         "' names no connector that can publish");
      else
        entry->dead_letter = runtime::Target{c, t.subject};
    }
    if (!compiled) continue;
    entry->stats = std::make_unique<runtime::RouteStats>(registry, spec.name);
    entry->errors = &registry.counter(
        "sluice_script_errors_total",
        "Handler calls that raised an error (dead-lettered or nacked)", {{"handler", spec.name}});
    table.add(std::move(*compiled));
    entries.push_back(std::move(entry));
  }
  if (!errors.empty()) return nullptr;
  return std::make_shared<ScriptRouter>(std::move(native), std::move(table), std::move(entries),
                                        std::move(states));
}

}  // namespace sluice::lua
