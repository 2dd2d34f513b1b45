// The NATS connector (see nats_plugin.hpp) and its entry point.
#include "nats_plugin.hpp"

#include <algorithm>
#include <chrono>

#include "subject.hpp"
#include "thread_name.hpp"

namespace sluice::nats {

NatsPlugin::NatsPlugin(Host host, const NatsSettings& settings)
    : Plugin(std::move(host)),
      settings_(settings.resolved(this->host().node_id())),
      metrics_(this->host()) {
  headers_.fixed = settings_.headers;
  headers_.node_header = settings_.node_id_header;
  headers_.node_id = std::string(this->host().node_id());
  connection_ = std::make_unique<NatsConnection>(this->host(), settings_);
  router_ = std::make_unique<ReplyRouter>(this->host(), metrics_);
  if (settings_.publish_confirm == PublishConfirm::kFlush)
    confirmer_ =
        std::make_unique<FlushConfirmer>(*connection_, metrics_, settings_.publish_timeout_ms);
  publisher_ = std::make_unique<Publisher>(*connection_, metrics_, *router_, confirmer_.get(),
                                           static_cast<size_t>(settings_.reconnect_buffer_bytes),
                                           settings_.publish_timeout_ms);
  core_ = std::make_unique<CoreSubscriptions>(this->host(), settings_, metrics_);
  if (settings_.jetstream.enabled)
    jetstream_ =
        std::make_unique<JetStreamConsumer>(this->host(), settings_, metrics_, *connection_);
}

NatsPlugin::~NatsPlugin() {
  stop();
  // Let accepted publishes and requests finish, then fail what is left:
  // every completion is completed before destroy returns.
  flush(static_cast<uint32_t>(settings_.drain_timeout_ms));
  publisher_->stop();  // before the confirmer and router it hands messages to
  if (confirmer_) confirmer_->stop(settings_.drain_timeout_ms);
  router_->stop();
  router_->fail_all(Status::kClosed, "the NATS connector is shutting down");
  if (jetstream_) jetstream_->destroy();
  core_->destroy();
  connection_->close();
}

Status NatsPlugin::subscribe(std::string_view pattern, std::string& error) {
  // "": a route reads the whole connector, i.e. what `subjects` names.
  if (pattern.empty()) return Status::kOk;
  std::string subject = expand_node_id(pattern, host().node_id());
  if (auto problem = subject_problem(subject, true)) {
    error = *problem;
    return Status::kRejected;
  }
  if (std::find(patterns_.begin(), patterns_.end(), subject) == patterns_.end())
    patterns_.push_back(subject);
  return Status::kOk;
}

Status NatsPlugin::start(std::string& error) {
  connection_->on_connected([this] {
    publisher_->nudge();
    if (jetstream_) jetstream_->resend_deferred_acks();
    if (confirmer_) confirmer_->nudge();
    supervisor_wake_.notify_all();
  });
  connection_->on_link_up([this](natsConnection* nc) {
    std::string error;
    if (!router_->subscribe(nc, error)) host().log(LogLevel::kError, error);
  });
  connection_->on_slow_consumer = [this](natsSubscription*) { core_->count_drops(); };
  if (!router_->start(error)) return Status::kError;
  if (!connection_->open(error)) return Status::kError;
  if (confirmer_) confirmer_->start();
  publisher_->start();
  started_ = true;
  supervisor_ = std::thread([this] {
    name_this_thread("nats-setup");
    supervise();
  });
  drop_timer_ = host().timer_start(1000, 1000, [this] { core_->count_drops(); });
  return Status::kOk;
}

std::vector<std::string> NatsPlugin::core_subjects() const {
  std::vector<std::string> wanted = settings_.subjects;
  for (const auto& p : patterns_) {
    bool for_stream = false;
    if (jetstream_)
      for (const auto& s : jetstream_->stream_subjects())
        for_stream = for_stream || pattern_covered_by(p, s);
    if (!for_stream) wanted.push_back(p);
  }
  // A subject covered by another one would deliver its messages twice.
  std::vector<std::string> out;
  for (size_t i = 0; i < wanted.size(); ++i) {
    bool redundant = false;
    for (size_t j = 0; j < wanted.size() && !redundant; ++j) {
      if (i == j) continue;
      bool covered = pattern_covered_by(wanted[i], wanted[j]);
      bool same = wanted[i] == wanted[j];
      redundant = same ? j < i : covered;
    }
    if (!redundant) out.push_back(wanted[i]);
  }
  return out;
}

void NatsPlugin::set_problem(std::string problem) {
  std::lock_guard lock(problem_mutex_);
  if (problem != problem_ && !problem.empty()) host().log(LogLevel::kError, problem);
  problem_ = std::move(problem);
}

void NatsPlugin::supervise() {
  int64_t backoff_ms = 500;
  while (!stopping_) {
    if (!connection_->wait_connected(200)) continue;
    std::string error;
    if (!jetstream_ || jetstream_->setup(error)) break;
    set_problem(error);
    std::unique_lock lock(supervisor_mutex_);
    supervisor_wake_.wait_for(lock, std::chrono::milliseconds(backoff_ms),
                              [&] { return stopping_.load(); });
    backoff_ms = std::min<int64_t>(backoff_ms * 2, settings_.reconnect.wait_max_ms);
  }
  if (stopping_) return;

  std::string failures;
  std::string consuming;
  for (const auto& subject : core_subjects()) {
    std::string error;
    if (core_->subscribe(connection_->get(), subject, error))
      consuming += (consuming.empty() ? "" : ", ") + subject;
    else
      failures += (failures.empty() ? "" : "; ") + error;
  }
  // Make sure the server has the subscriptions before calling it ready.
  natsConnection_FlushTimeout(connection_->get(), std::max<int64_t>(settings_.timeout_ms, 1000));
  if (jetstream_) {
    jetstream_->start();
    consuming += std::string(consuming.empty() ? "" : ", ") + "JetStream " +
                 settings_.jetstream.stream + "/" + settings_.jetstream.durable;
  }
  set_problem(failures);
  ready_ = true;
  host().logf(LogLevel::kInfo, "NATS connector ready; consuming: %s%s",
              consuming.empty() ? "nothing" : consuming.c_str(),
              settings_.queue_group.empty()
                  ? ""
                  : (" (queue group " + settings_.queue_group + ")").c_str());
}

void NatsPlugin::stop() {
  if (stopped_.exchange(true)) return;
  stopping_ = true;
  supervisor_wake_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  if (drop_timer_) host().timer_cancel(drop_timer_);
  drop_timer_ = 0;
  core_->stop(settings_.drain_timeout_ms);
  if (jetstream_) jetstream_->stop();
}

bool NatsPlugin::outgoing_subject(const MessageView& message, std::string& subject,
                                  std::string& error) const {
  subject.assign(message.subject());
  if (subject.empty()) subject = settings_.default_subject;
  if (subject.empty()) {
    error = "the message has no subject and the connector has no default_subject";
    return false;
  }
  if (auto problem = subject_problem(subject, false)) {
    error = "cannot publish: " + *problem;
    return false;
  }
  return true;
}

size_t NatsPlugin::pending_publishes() const {
  return (confirmer_ ? confirmer_->pending() : 0) + router_->pending() + publisher_->held();
}

Status NatsPlugin::publish_core(const std::string& subject, std::string_view reply,
                                const MessageView& message, Completion& completion,
                                std::string& error, bool confirm) {
  // The host may route to this connector before starting it (it starts
  // sources in config order): busy makes it wait instead of failing.
  if (!started_) return Status::kBusy;
  if (pending_publishes() >= static_cast<size_t>(settings_.max_pending_publishes))
    return Status::kBusy;
  Publisher::Outgoing out;
  natsStatus s = build_message(subject, reply, message, headers_, out.msg);
  if (s != NATS_OK) {
    error = "cannot build a NATS message: " + nats_error(s);
    return Status::kRejected;
  }
  out.bytes = wire_size(subject, reply, message, headers_);
  out.then = confirmer_ && confirm ? Publisher::Then::kFlushConfirm : Publisher::Then::kComplete;
  out.completion = std::move(completion);
  out.deadline = Publisher::Clock::now() + std::chrono::milliseconds(settings_.publish_timeout_ms);
  Status status = publisher_->send(out, error);
  if (status != Status::kOk) completion = std::move(out.completion);
  return status;
}

Status NatsPlugin::send_with_reply(ReplyRouter::Kind kind, const std::string& subject,
                                   const MessageView& message, int64_t timeout_ms,
                                   Completion& completion, std::string& error) {
  if (!started_) return Status::kBusy;  // see publish_core
  if (pending_publishes() >= static_cast<size_t>(settings_.max_pending_publishes))
    return Status::kBusy;
  Publisher::Outgoing out;
  out.then = Publisher::Then::kAwaitReply;
  out.kind = kind;
  out.subject = subject;
  out.timeout_ms = timeout_ms;
  std::string inbox = router_->add(kind, subject, completion, timeout_ms, out.reply_id);
  natsStatus s = build_message(subject, inbox, message, headers_, out.msg);
  if (s != NATS_OK) {
    if (!router_->take_back(out.reply_id, completion)) return Status::kOk;  // timed out already
    error = "cannot build a NATS message: " + nats_error(s);
    return Status::kRejected;
  }
  out.bytes = wire_size(subject, inbox, message, headers_);
  Status status = publisher_->send(out, error);
  if (status != Status::kOk) completion = std::move(out.completion);
  return status;
}

Status NatsPlugin::publish(const MessageView& message, Completion& completion, std::string& error) {
  std::string subject;
  if (!outgoing_subject(message, subject, error)) return Status::kRejected;
  if (settings_.publish_jetstream)
    return send_with_reply(ReplyRouter::Kind::kJetStreamPublish, subject, message,
                           settings_.publish_timeout_ms, completion, error);
  // A forwarded request keeps its return address.
  return publish_core(subject, message.reply_to(), message, completion, error);
}

Status NatsPlugin::request(const MessageView& message, uint32_t timeout_ms, Completion& completion,
                           std::string& error) {
  std::string subject;
  if (!outgoing_subject(message, subject, error)) return Status::kRejected;
  int64_t timeout = timeout_ms > 0 ? timeout_ms : settings_.request_timeout_ms;
  return send_with_reply(ReplyRouter::Kind::kRequest, subject, message, timeout, completion, error);
}

Status NatsPlugin::reply(std::string_view reply_to, const MessageView& message,
                         Completion& completion, std::string& error) {
  if (reply_to.empty()) {
    error = "the message has no reply subject";
    return Status::kRejected;
  }
  // A reply is as good as the requester's timeout: nobody retries a reply,
  // so it completes once cnats took it, without a PING/PONG round trip.
  return publish_core(std::string(reply_to), {}, message, completion, error, false);
}

void NatsPlugin::ack(uint64_t ack_id, Outcome outcome) {
  if (jetstream_ && ack_id != 0) jetstream_->ack(ack_id, outcome);
}

Status NatsPlugin::flush(uint32_t timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (pending_publishes() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return Status::kTimeout;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Status::kOk;
}

Health NatsPlugin::health() {
  Health h;
  auto state = connection_->state();
  h.message = connection_->describe();
  if (state != LinkState::kConnected) {
    h.healthy = false;
    if (size_t held = publisher_->held(); held > 0)
      h.message += "; " + std::to_string(held) + " outgoing messages held until the reconnect";
    return h;
  }
  std::lock_guard lock(problem_mutex_);
  if (!problem_.empty()) {
    h.healthy = false;
    h.message = problem_;
  } else if (!ready_ && !stopping_) {
    h.healthy = false;
    h.message += "; setting up subscriptions";
  }
  return h;
}

}  // namespace sluice::nats

using sluice::nats::NatsPlugin;
SLUICE_PLUGIN(NatsPlugin, "nats", "0.1.0",
              "NATS: pub/sub, queue groups, request/reply, JetStream at-least-once",
              SLUICE_CAP_SOURCE | SLUICE_CAP_SINK | SLUICE_CAP_REQUEST, sluice::nats::settings_spec)
