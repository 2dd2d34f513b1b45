#include "runtime/runtime.hpp"

#include <signal.h>

#include <algorithm>
#include <boost/json.hpp>
#include <thread>

#include "log/logger.hpp"
#include "metrics/process_metrics.hpp"
#include "runtime/host_api.hpp"
#include "runtime/shutdown_watchdog.hpp"

namespace sluice::runtime {
namespace {
constexpr const char* kComponent = "runtime";
}  // namespace

Runtime::Runtime(config::Config config, const loader::PluginRegistry& plugins,
                 std::unique_ptr<TimerService> timers)
    : config_(std::move(config)),
      plugins_(plugins),
      timers_(timers ? std::move(timers) : std::make_unique<AsioTimerService>()),
      engine_(metrics_, *timers_) {
  engine_.set_taps(&taps_);
  metrics::register_process_metrics(metrics_, started_at_);
  metrics_.sampled_gauge("sluice_in_flight", "Accepted source messages not yet acked", {},
                         [this] { return static_cast<double>(in_flight()); });
}

Runtime::~Runtime() { shutdown(); }

Connector* Runtime::connector(const std::string& name) const {
  for (const auto& c : connectors_)
    if (c->name() == name) return c.get();
  return nullptr;
}

std::string Runtime::missing_plugin_error(const config::ConnectorConfig& cc) const {
  std::string why =
      cc.where.str() + ": connector '" + cc.name + "': no plugin named '" + cc.plugin + "'";
  std::string known;
  for (const auto& p : plugins_.plugins()) known += (known.empty() ? "" : ", ") + p->name();
  why += " (available: " + (known.empty() ? std::string("none") : known) + ")";
  for (const auto& r : plugins_.refusals()) why += "\n  refused plugin file " + r.str();
  return why;
}

namespace {
// A route naming a connector whose plugin is unknown would add "unknown
// connector" to the one error that matters (the plugin's): the connector
// is defined, only its plugin is missing.
void drop_unknown_connector_errors(const std::vector<std::string>& connectors,
                                   std::vector<std::string>& errors) {
  std::erase_if(errors, [&](const std::string& e) {
    return std::any_of(connectors.begin(), connectors.end(), [&](const std::string& name) {
      return e.find("unknown connector '" + name + "'") != std::string::npos;
    });
  });
}
}  // namespace

std::vector<std::string> Runtime::check(RouteCounts* counts) {
  std::vector<std::string> errors;
  std::vector<std::string> without_plugin;  // defined, but their plugin is unknown
  for (const auto& cc : config_.connectors) {
    const auto* plugin = plugins_.find(cc.plugin);
    if (!plugin) {
      // An empty name means `plugin:` itself was wrong or missing, which
      // the config loader has reported already.
      if (!cc.plugin.empty()) errors.push_back(missing_plugin_error(cc));
      without_plugin.push_back(cc.name);
      continue;
    }
    auto c = std::make_unique<Connector>(*this, cc, *plugin, metrics_);
    std::string err = c->validate();
    if (!err.empty())
      errors.push_back(cc.where.str() + ": connector '" + cc.name + "' (" + cc.plugin +
                       "): " + err);
    connectors_.push_back(std::move(c));
  }
  auto lookup = [this](const std::string& name) { return connector(name); };
  auto router =
      router_factory_(config_.routes, lookup, metrics_, config_.node_id, 1, nullptr, errors);
  if (counts && router) *counts = router->counts();
  drop_unknown_connector_errors(without_plugin, errors);
  router.reset();
  connectors_.clear();
  shut_down_ = true;  // nothing was started
  return errors;
}

std::vector<std::string> Runtime::build() {
  std::vector<std::string> errors;
  for (const auto& cc : config_.connectors) {
    const auto* plugin = plugins_.find(cc.plugin);
    if (!plugin) {
      errors.push_back(missing_plugin_error(cc));
      continue;
    }
    auto c = std::make_unique<Connector>(*this, cc, *plugin, metrics_);
    std::string err = c->create(host_api());
    if (!err.empty()) {
      errors.push_back(cc.where.str() + ": connector '" + cc.name + "' (" + cc.plugin +
                       "): " + err);
      continue;
    }
    connectors_.push_back(std::move(c));
  }
  if (!errors.empty()) return errors;

  auto lookup = [this](const std::string& name) { return connector(name); };
  size_t workers = config_.workers > 0 ? static_cast<size_t>(config_.workers)
                                       : std::max(1u, std::thread::hardware_concurrency());
  auto router = router_factory_(config_.routes, lookup, metrics_, config_.node_id, workers,
                                timers_.get(), errors);
  if (!config_.control_subject.empty()) {
    auto spec = parse_target(config_.control_subject);
    if (Connector* c = connector(spec.connector))
      engine_.set_control(std::make_unique<ControlCommands>(*c, spec.subject, config_.node_id,
                                                            [this] { return status_json(); }));
    else
      errors.push_back("control_subject names unknown connector '" + spec.connector + "'");
  }
  if (!errors.empty()) return errors;
  route_sources_ = router->sources();
  set_router(router);
  return errors;
}

std::vector<std::string> Runtime::start() {
  std::vector<std::string> errors;
  size_t n = config_.workers > 0 ? static_cast<size_t>(config_.workers)
                                 : std::max(1u, std::thread::hardware_concurrency());
  size_t capacity = std::max(1, config_.queue_capacity);
  engine_.start_workers(n, capacity);

  auto subs = router()->subscriptions();
  if (const auto* control = engine_.control(); control && !control->subject().empty())
    subs[control->connector().name()].push_back(control->subject());
  for (auto& [name, patterns] : subs) {
    Connector* c = connector(name);
    // A route reading the whole connector subscribes to "" (everything).
    if (patterns.empty()) patterns.emplace_back();
    for (const auto& p : patterns) {
      std::string err = c->subscribe(p);
      if (!err.empty()) errors.push_back("connector '" + name + "': " + err);
    }
  }
  if (!errors.empty()) return errors;
  // Connectors nothing reads from (pure outputs) first, so that the first
  // message a source emits has somewhere to go. The plugin's capability is
  // not enough: stdio or file in sink mode can also be sources.
  auto read_from = [&subs](const Connector& c) { return subs.count(c.name()) > 0; };
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& c : connectors_) {
      if (read_from(*c) != (pass == 1) || c->started()) continue;
      std::string err = c->start();
      if (!err.empty()) {
        errors.push_back("connector '" + c->name() + "' (" + c->plugin().name() + "): " + err);
        return errors;
      }
      log::info(c->name(), "started (plugin " + c->plugin().name() + " " +
                               c->plugin().descriptor->version + ")");
    }
  }
  started_at_ = std::chrono::steady_clock::now();
  started_.store(true);
  return errors;
}

ReloadResult Runtime::reload() {
  if (!reload_hook_) return {false, "no script configured: nothing to reload"};
  return reload_hook_();
}

ReloadResult Runtime::rebuild_router() {
  std::lock_guard lock(reload_mutex_);
  std::vector<std::string> errors;
  auto lookup = [this](const std::string& name) { return connector(name); };
  size_t workers = std::max<size_t>(1, engine_.workers().size());
  auto fresh = router_factory_(config_.routes, lookup, metrics_, config_.node_id, workers,
                               timers_.get(), errors);
  if (!fresh || !errors.empty()) {
    std::string why;
    for (const auto& e : errors) why += (why.empty() ? "" : "; ") + e;
    return {false, "kept the running script: " + why};
  }
  // Sources are subscribed at start; a pattern new to a connector needs a
  // restart (plugins subscribe before they start).
  std::string warning;
  auto before =
      router() ? router()->subscriptions() : std::map<std::string, std::vector<std::string>>{};
  for (const auto& [name, patterns] : fresh->subscriptions())
    for (const auto& p : patterns)
      if (std::find(before[name].begin(), before[name].end(), p) == before[name].end())
        warning += " " + name + (p.empty() ? "" : ":" + p);
  set_router(std::move(fresh));
  std::string message = "reloaded";
  if (!warning.empty()) message += "; new subscriptions take effect after a restart:" + warning;
  return {true, message};
}

double Runtime::routing_time_ewma_us() const {
  const auto& workers = engine_.workers();
  if (workers.empty()) return 0;
  double sum = 0;
  for (const auto& w : workers) sum += w->routing_time_ewma_us();
  return sum / static_cast<double>(workers.size());
}

void Runtime::source_finished(Connector& source) {
  // A plugin that can read (stdio, file) says so in sink mode too; only a
  // connector that routes read from is a source worth logging.
  if (!source.finished() && source.subscribed()) log::info(source.name(), "source finished");
  source.mark_finished();
  engine_.wake();
}

bool Runtime::all_sources_done() const {
  if (route_sources_.empty()) return false;
  for (const auto& name : route_sources_) {
    Connector* c = connector(name);
    if (c && !c->finished()) return false;
  }
  return engine_.in_flight() == 0;
}

void Runtime::request_stop() {
  stop_requested_.store(true);
  engine_.wake();
}

int Runtime::run(const RunOptions& options) {
  // SIGINT/SIGTERM are the watchdog's: it sees them even while this thread
  // is busy (a reload), and bounds the shutdown from the moment they came.
  watchdog_ = options.watchdog;
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGHUP, SIGUSR1}) sigaddset(&set, s);
  if (!watchdog_)
    for (int s : {SIGINT, SIGTERM}) sigaddset(&set, s);
  auto stop_asked = [&] {
    return stop_requested_.load() || (watchdog_ && watchdog_->stop_requested());
  };
  log::info(kComponent, "running: " + std::to_string(connectors_.size()) + " connectors, " +
                            std::to_string(engine_.workers().size()) + " workers, node " +
                            config_.node_id);
  while (!stop_asked()) {
    timespec timeout{0, 50 * 1000 * 1000};
    int sig = sigtimedwait(&set, nullptr, &timeout);
    if (sig == SIGINT || sig == SIGTERM) {
      log::info(kComponent, std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                                ": draining (no watchdog: shutdown is not bounded)");
      break;
    }
    if (sig == SIGHUP) {
      // A SIGTERM during a reload that hangs is still bounded: the watchdog
      // ends the process and names this step.
      note_shutdown_step("reloading the script (SIGHUP)");
      auto result = reload();
      note_shutdown_step("");
      (result.ok ? log::info : log::warn)(kComponent, "SIGHUP reload: " + result.message);
    } else if (sig == SIGUSR1) {
      log::info(kComponent, "stats: " + status_json());
    }
    if (options.exit_when_done && all_sources_done()) {
      log::info(kComponent, "every source finished and every message is settled");
      break;
    }
  }
  if (watchdog_ && watchdog_->stop_requested())
    log::info(kComponent, std::string("received ") +
                              ShutdownWatchdog::signal_name(watchdog_->stop_signal()) +
                              ": draining (for up to shutdown_timeout_ms, " +
                              std::to_string(watchdog_->timeout().count()) +
                              " ms; a second signal exits at once)");
  auto deadline = watchdog_ ? watchdog_->deadline()
                            : std::chrono::steady_clock::now() +
                                  std::chrono::milliseconds(config_.shutdown_timeout_ms);
  return shutdown(deadline) ? 0 : 1;
}

void Runtime::note_shutdown_step(std::string step) {
  if (watchdog_) watchdog_->note(std::move(step));
}

std::string Runtime::unconfirmed_publishes() const {
  std::string out;
  for (const auto& c : connectors_)
    if (c->in_flight() > 0)
      out += (out.empty() ? "" : " ") + c->name() + "=" + std::to_string(c->in_flight());
  return out.empty() ? "none" : out;
}

bool Runtime::shutdown() {
  return shutdown(std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(config_.shutdown_timeout_ms));
}

bool Runtime::shutdown(std::chrono::steady_clock::time_point deadline) {
  if (shut_down_) return true;
  shut_down_ = true;
  const bool was_running = started_.load();
  for (auto& c : connectors_) {
    if (!c->is_source()) continue;
    note_shutdown_step("stopping connector '" + c->name() + "' (" + c->plugin().name() + ")");
    c->stop();
  }
  note_shutdown_step("draining " + std::to_string(engine_.in_flight()) +
                     " messages in flight (unconfirmed publishes: " + unconfirmed_publishes() +
                     ")");
  engine_.wait_drained(deadline);
  engine_.close_ingress();
  for (auto& c : connectors_) {
    if (!c->is_sink()) continue;
    // Past the deadline a flush only collects what is already done.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    note_shutdown_step("flushing connector '" + c->name() + "' (" + c->plugin().name() + ")");
    c->flush(static_cast<uint32_t>(std::max<int64_t>(left.count(), 0)));
  }
  int64_t left = engine_.in_flight();
  engine_.force_stop();
  note_shutdown_step("waiting for the workers (routing, Lua handlers, publishes) to return");
  engine_.stop_workers();
  // Sinks first: completing what they still hold nacks sources that are
  // still there to hear it.
  auto destroy = [this](Connector& c) {
    note_shutdown_step("destroying connector '" + c.name() + "' (" + c.plugin().name() + ", " +
                       std::to_string(c.in_flight()) + " publishes unconfirmed)");
    c.destroy();
  };
  for (auto& c : connectors_)
    if (!c->is_source()) destroy(*c);
  for (auto& c : connectors_) destroy(*c);
  note_shutdown_step("stopping the timers");
  timers_->shutdown();
  note_shutdown_step("leaving");
  if (left > 0) {
    log::warn(kComponent, std::to_string(left) +
                              " messages were not settled before shutdown_timeout_ms; their "
                              "sources will redeliver them");
    return false;
  }
  // After a start that failed nothing ran: the error said it all.
  if (was_running) log::info(kComponent, "stopped: every accepted message was settled");
  return true;
}

std::string Runtime::status_json() const {
  boost::json::array connectors;
  for (const auto& c : connectors_) {
    auto h = c->health();
    auto& s = const_cast<Connector&>(*c).stats();
    connectors.push_back(boost::json::object{
        {"name", c->name()},
        {"plugin", c->plugin().name()},
        {"healthy", h.healthy},
        {"message", h.message},
        {"messages_in", s.messages_in->value()},
        {"messages_out", s.messages_out->value()},
        {"acked", s.acked->value()},
        {"nacked", s.nacked->value()},
        {"failed", s.failed->value()},
        {"circuit", CircuitBreaker::state_name(c->circuit().state())},
        {"circuit_rejected", s.circuit_rejected->value()},
    });
  }
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                 started_at_)
                    .count();
  return boost::json::serialize(boost::json::object{{"node_id", config_.node_id},
                                                    {"version", SLUICE_VERSION},
                                                    {"uptime_s", uptime},
                                                    {"in_flight", engine_.in_flight()},
                                                    {"connectors", std::move(connectors)}});
}

}  // namespace sluice::runtime
