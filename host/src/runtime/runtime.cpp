#include "runtime/runtime.hpp"

#include <signal.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <thread>

#include "log/logger.hpp"
#include "metrics/process_metrics.hpp"
#include "runtime/host_api.hpp"
#include "runtime/shutdown_watchdog.hpp"

namespace sluice::runtime {
namespace {
constexpr const char* kComponent = "runtime";

std::string status_name(sluice_status s) {
  switch (s) {
    case SLUICE_OK:
      return "ok";
    case SLUICE_BUSY:
      return "busy";
    case SLUICE_ERROR:
      return "error";
    case SLUICE_CLOSED:
      return "closed";
    case SLUICE_TIMEOUT:
      return "timeout";
    case SLUICE_UNSUPPORTED:
      return "unsupported";
    case SLUICE_REJECTED:
      return "rejected";
  }
  return "unknown";
}
}  // namespace

void Delivery::finish() {
  runtime_.finish_delivery(this, !failed_.load(std::memory_order_relaxed));
}

Runtime::Runtime(config::Config config, const loader::PluginRegistry& plugins)
    : config_(std::move(config)), plugins_(plugins) {
  unrouted_ =
      &metrics_.counter("sluice_unrouted_total", "Messages no route matched (acked and dropped)");
  latency_ = &metrics_.histogram("sluice_end_to_end_latency_seconds",
                                 "From emit to every output confirmed (source ack)");
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

std::vector<std::string> Runtime::check(RouteCounts* counts) {
  std::vector<std::string> errors;
  for (const auto& cc : config_.connectors) {
    const auto* plugin = plugins_.find(cc.plugin);
    if (!plugin) {
      errors.push_back(missing_plugin_error(cc));
      continue;
    }
    char buf[8192] = "";
    sluice_error err{sizeof(sluice_error), buf, sizeof buf};
    if (plugin->descriptor->vtable->validate(cc.settings_json.c_str(), &err) != SLUICE_OK)
      errors.push_back(cc.where.str() + ": connector '" + cc.name + "' (" + cc.plugin +
                       "): " + (buf[0] ? buf : "invalid settings"));
    connectors_.push_back(std::make_unique<Connector>(*this, cc, *plugin, metrics_));
  }
  auto lookup = [this](const std::string& name) { return connector(name); };
  auto router =
      router_factory_(config_.routes, lookup, metrics_, config_.node_id, 1, nullptr, errors);
  if (counts && router) *counts = router->counts();
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
  auto router =
      router_factory_(config_.routes, lookup, metrics_, config_.node_id, workers, &timers_, errors);
  if (!config_.control_subject.empty()) {
    auto spec = parse_target(config_.control_subject);
    control_ = {connector(spec.connector), spec.subject};
    if (!control_.first)
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
  for (size_t i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>(*this, i, capacity);
    metrics::Labels labels{{"worker", std::to_string(i)}};
    Worker* raw = w.get();
    metrics_.sampled_gauge(
        "sluice_queue_depth", "Messages waiting in a worker's ingress queue", labels,
        [raw] { return static_cast<double>(raw->depth()); }, raw);
    metrics_.sampled_gauge(
        "sluice_queue_capacity", "Bound of a worker's ingress queue", labels,
        [raw] { return static_cast<double>(raw->capacity()); }, raw);
    workers_.push_back(std::move(w));
  }
  routing_ewma_ = std::make_unique<std::atomic<double>[]>(n);
  for (auto& w : workers_) w->start();

  auto subs = router()->subscriptions();
  if (control_.first && !control_.second.empty())
    subs[control_.first->name()].push_back(control_.second);
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
  size_t workers = std::max<size_t>(1, workers_.size());
  auto fresh =
      router_factory_(config_.routes, lookup, metrics_, config_.node_id, workers, &timers_, errors);
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
  if (workers_.empty() || !routing_ewma_) return 0;
  double sum = 0;
  for (size_t i = 0; i < workers_.size(); ++i) sum += routing_ewma_[i].load();
  return sum / static_cast<double>(workers_.size());
}

void Runtime::record_routing_time(size_t worker, double us) {
  // Only worker `worker` writes its slot, so load+store is race-free.
  auto& slot = routing_ewma_[worker];
  double cur = slot.load(std::memory_order_relaxed);
  slot.store(cur == 0 ? us : cur * 0.9 + us * 0.1, std::memory_order_relaxed);
}

sluice_status Runtime::ingest(Connector& source, const sluice_message* m, uint64_t ack_id,
                              uint32_t wait_ms) {
  if (!m || (m->payload.len > 0 && !m->payload.data)) return SLUICE_REJECTED;
  if (stopping_.load(std::memory_order_relaxed) || workers_.empty()) return SLUICE_CLOSED;
  auto env = Envelope::from_c(*m);
  env->source = &source;
  env->ack_id = ack_id;
  env->needs_ack = true;
  env->received_at = std::chrono::steady_clock::now();
  if (env->timestamp_ms == 0)
    env->timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  size_t worker = std::hash<std::string_view>{}(env->routing_key()) % workers_.size();
  size_t bytes = env->payload.size();
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  if (!workers_[worker]->offer(std::move(env), std::chrono::milliseconds(wait_ms))) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    if (stopping_.load()) return SLUICE_CLOSED;
    source.stats().busy->inc();
    return SLUICE_BUSY;
  }
  source.stats().messages_in->inc();
  source.stats().bytes_in->add(static_cast<double>(bytes));
  return SLUICE_OK;
}

void Runtime::dispatch(Delivery* delivery, Output output, size_t worker_index) {
  if (delivery) delivery->hold();
  auto* c = new sluice_completion();
  c->runtime = this;
  c->delivery = delivery;
  c->output = std::move(output);
  c->worker = worker_index;
  send_now(c);
}

void Runtime::send_now(sluice_completion* c) {
  // Past the shutdown deadline nothing more is sent: what the workers still
  // hold goes back to its source (nack) at once, without a publish attempt
  // or a log line each, so that the graceful path ends in time.
  if (force_stop_.load()) {
    settle_completion(c, false);
    return;
  }
  Connector* target = c->output.target.connector;
  if (!target->acquire_slot(force_stop_)) {
    failed_for_good(c, "shutting down before the message could be sent");
    return;
  }
  Envelope::CView view;
  c->output.message->to_c(view);
  const std::string& subject = c->output.target.subject;
  view.message.subject = {subject.data(), subject.size()};
  const auto& v = target->vtable();
  auto backoff_ms = 1;
  while (true) {
    char buf[2048] = "";
    sluice_error err{sizeof(sluice_error), buf, sizeof buf};
    sluice_status s = SLUICE_UNSUPPORTED;
    switch (c->output.kind) {
      case OutputKind::kPublish:
        if (v.publish) s = v.publish(target->instance(), &view.message, c, &err);
        break;
      case OutputKind::kReply: {
        const auto& to = c->output.message->reply_to;
        if (v.reply) {
          s = v.reply(target->instance(), {to.data(), to.size()}, &view.message, c, &err);
        } else if (v.publish) {
          view.message.subject = {to.data(), to.size()};
          s = v.publish(target->instance(), &view.message, c, &err);
        }
        break;
      }
      case OutputKind::kRequest:
        if (v.request)
          s = v.request(target->instance(), &view.message, c->output.timeout_ms, c, &err);
        break;
    }
    if (s == SLUICE_OK) return;
    if (s == SLUICE_BUSY && !force_stop_.load()) {
      // The sink's own queue is full: wait here. This blocks the worker,
      // its ingress fills, and sources get BUSY: backpressure end to end.
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min(backoff_ms * 2, 50);
      continue;
    }
    target->release_slot();
    std::string text = buf[0] ? buf : "publish returned " + status_name(s);
    if (s == SLUICE_ERROR)
      attempt_failed(c, s, text);
    else
      failed_for_good(c, text);
    return;
  }
}

void Runtime::complete(sluice_completion* c, sluice_status status, const char* error,
                       const sluice_message* reply) {
  Connector* target = c->output.target.connector;
  target->release_slot();
  if (status == SLUICE_OK) {
    target->stats().messages_out->inc();
    target->stats().bytes_out->add(static_cast<double>(c->output.message->payload.size()));
    if (c->output.on_reply) {
      EnvelopePtr answer = reply ? Envelope::from_c(*reply) : nullptr;
      c->output.on_reply(SLUICE_OK, "", answer);
    }
    settle_completion(c, true);
    return;
  }
  std::string text = error && *error ? error : "completed with status " + status_name(status);
  if (status == SLUICE_ERROR ||
      (status == SLUICE_TIMEOUT && c->output.kind != OutputKind::kRequest))
    attempt_failed(c, status, text);
  else
    failed_for_good(c, text);
}

void Runtime::attempt_failed(sluice_completion* c, sluice_status status, const std::string& error) {
  Connector* target = c->output.target.connector;
  target->stats().failed->inc();
  c->last_error = error;
  const auto& policy = target->config().retry;
  if (c->output.kind == OutputKind::kRequest || c->attempt >= policy.max_attempts ||
      force_stop_.load()) {
    failed_for_good(c, error);
    return;
  }
  target->stats().retries->inc();
  auto delay = backoff(policy, c->attempt);
  ++c->attempt;
  log::warn(target->name(), "publish failed (" + status_name(status) + "): " + error +
                                "; retrying (attempt " + std::to_string(c->attempt) + " of " +
                                std::to_string(policy.max_attempts) + ")");
  timers_.start(delay, std::chrono::milliseconds(0), [this, c] {
    // Back on the worker that owns the message's key, so order and
    // thread rules hold; push_always: this message is already counted.
    workers_[c->worker % workers_.size()]->post([this, c] { send_now(c); });
  });
}

void Runtime::failed_for_good(sluice_completion* c, const std::string& error) {
  if (c->output.kind == OutputKind::kRequest && c->output.on_reply) {
    c->output.on_reply(SLUICE_ERROR, error, nullptr);
    settle_completion(c, true);  // the script decides what a failed request means
    return;
  }
  if (!c->to_dead_letter && c->output.dead_letter && c->output.dead_letter->connector &&
      !force_stop_.load()) {
    auto copy = std::make_shared<Envelope>();
    const auto& m = *c->output.message;
    copy->payload = m.payload;
    copy->key = m.key;
    copy->headers = m.headers;
    copy->headers.push_back({"sluice-error", error});
    copy->headers.push_back({"sluice-failed-output", c->output.target.connector->name()});
    copy->timestamp_ms = m.timestamp_ms;
    if (c->output.route) c->output.route->dead_lettered.inc();
    log::warn(c->output.route ? c->output.route->name : kComponent,
              "output " + c->output.target.connector->name() + " failed for good: " + error +
                  "; sending to dead letter " + c->output.dead_letter->connector->name());
    c->to_dead_letter = true;
    c->attempt = 1;
    c->output.target = *c->output.dead_letter;
    c->output.message = copy;
    c->output.kind = OutputKind::kPublish;
    send_now(c);
    return;
  }
  if (c->output.route) c->output.route->failed.inc();
  log::error(c->output.route ? c->output.route->name : kComponent,
             "output " + c->output.target.connector->name() + " failed for good: " + error +
                 "; the source message will be nacked");
  settle_completion(c, false);
}

void Runtime::settle_completion(sluice_completion* c, bool ok) {
  Delivery* d = c->delivery;
  delete c;
  if (d) d->settle(ok);
}

void Runtime::finish_delivery(Delivery* d, bool ok) {
  const auto& env = d->source();
  if (env->needs_ack && env->source) {
    Connector& src = *env->source;
    if (src.instance()) {
      src.vtable().ack(src.instance(), env->ack_id, ok ? SLUICE_OUTCOME_ACK : SLUICE_OUTCOME_NACK);
      (ok ? src.stats().acked : src.stats().nacked)->inc();
    }
    latency_->observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - env->received_at).count());
  }
  delete d;
  if (in_flight_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    std::lock_guard lock(drain_mutex_);
    drained_.notify_all();
  }
}

std::chrono::milliseconds Runtime::backoff(const config::RetryPolicy& policy, int attempt) {
  double base = policy.initial_backoff_ms * std::pow(2.0, std::max(0, attempt - 1));
  base = std::min(base, static_cast<double>(policy.max_backoff_ms));
  std::lock_guard lock(rng_mutex_);
  // "Equal jitter": half fixed, half random, so retries spread out but
  // never collapse to zero.
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(base * jitter(rng_)));
}

void Runtime::source_finished(Connector& source) {
  // A plugin that can read (stdio, file) says so in sink mode too; only a
  // connector that routes read from is a source worth logging.
  if (!source.finished() && source.subscribed()) log::info(source.name(), "source finished");
  source.mark_finished();
  std::lock_guard lock(drain_mutex_);
  drained_.notify_all();
}

bool Runtime::all_sources_done() const {
  if (route_sources_.empty()) return false;
  for (const auto& name : route_sources_) {
    Connector* c = connector(name);
    if (c && !c->finished()) return false;
  }
  return in_flight_.load() == 0;
}

void Runtime::request_stop() {
  stop_requested_.store(true);
  std::lock_guard lock(drain_mutex_);
  drained_.notify_all();
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
                            std::to_string(workers_.size()) + " workers, node " + config_.node_id);
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
  note_shutdown_step("draining " + std::to_string(in_flight_.load()) +
                     " messages in flight (unconfirmed publishes: " + unconfirmed_publishes() +
                     ")");
  {
    std::unique_lock lock(drain_mutex_);
    drained_.wait_until(lock, deadline, [&] { return in_flight_.load() == 0; });
  }
  stopping_.store(true);
  for (auto& c : connectors_) {
    if (!c->is_sink()) continue;
    // Past the deadline a flush only collects what is already done.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    note_shutdown_step("flushing connector '" + c->name() + "' (" + c->plugin().name() + ")");
    c->flush(static_cast<uint32_t>(std::max<int64_t>(left.count(), 0)));
  }
  int64_t left = in_flight_.load();
  force_stop_.store(true);
  note_shutdown_step("waiting for the workers (routing, Lua handlers, publishes) to return");
  for (auto& w : workers_) w->close();
  for (auto& w : workers_) w->join();
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
  timers_.shutdown();
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

bool Runtime::handle_control(const EnvelopePtr& message, Delivery& delivery, Dispatch& out) {
  if (!control_.first || message->source != control_.first) return false;
  if (!control_.second.empty() && message->subject != control_.second) return false;
  if (message->reply_to.empty()) return false;
  boost::system::error_code ec;
  auto doc = boost::json::parse(message->payload, ec);
  std::string command;
  if (!ec && doc.is_object())
    if (const auto* c = doc.as_object().if_contains("command"); c && c->is_string())
      command = c->get_string();
  std::string body;
  if (command == "status") {
    body = status_json();
  } else if (command == "version") {
    body = boost::json::serialize(boost::json::object{
        {"node_id", config_.node_id},
        {"version", SLUICE_VERSION},
        {"abi", std::to_string(SLUICE_ABI_MAJOR) + "." + std::to_string(SLUICE_ABI_MINOR)}});
  } else {
    body = boost::json::serialize(boost::json::object{
        {"error", "unknown command '" + command + "'; known: status, version"}});
  }
  auto reply = std::make_shared<Envelope>();
  reply->payload = std::move(body);
  reply->reply_to = message->reply_to;
  reply->headers.push_back({"content-type", "application/json"});
  out.send(delivery, Output{OutputKind::kReply, {message->source, message->reply_to}, reply});
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
    });
  }
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                 started_at_)
                    .count();
  return boost::json::serialize(boost::json::object{{"node_id", config_.node_id},
                                                    {"version", SLUICE_VERSION},
                                                    {"uptime_s", uptime},
                                                    {"in_flight", in_flight_.load()},
                                                    {"connectors", std::move(connectors)}});
}

}  // namespace sluice::runtime
