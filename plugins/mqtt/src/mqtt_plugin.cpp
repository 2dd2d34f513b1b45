// The MQTT connector (see mqtt_plugin.hpp) and its entry point.
//
// Delivery: paho.mqtt.c 1.3 sends the PUBACK (QoS 1) right after its
// messageArrived callback returned, and the PUBREC (QoS 2) before it; there
// is no manual acknowledgement. The callback therefore returns only once
// the host accepted the message (emit waits up to accept_wait_ms), so a
// QoS 1 message is acknowledged only after the host holds it and a full
// sluice slows paho's reading, which reaches the broker as TCP backpressure.
// If the host stays full, the callback returns 0: paho keeps the message and
// offers it again, but has acknowledged it by then (the README's table).
#include "mqtt_plugin.hpp"

#include <algorithm>
#include <cstring>
#include <thread>

#include "awaiting_acks.hpp"

namespace sluice::mqtt {

MqttPlugin::MqttPlugin(Host host, const MqttSettings& settings)
    : Plugin(std::move(host)),
      settings_(settings.resolved(this->host().node_id(), this->host().connector_name())),
      metrics_(this->host()),
      buffer_(static_cast<size_t>(settings_.max_buffered), settings_.buffer_overflow) {
  MqttLink::Events events;
  events.on_message = [this](char* topic, int len, MQTTAsync_message* m) {
    return on_message(topic, len, m);
  };
  events.on_connected = [this] { on_connected(); };
  link_ = std::make_unique<MqttLink>(this->host(), settings_, std::move(events));
  std::string error;
  if (!link_->create(error)) throw ConfigError(error);
}

MqttPlugin::~MqttPlugin() {
  stop();
  flush(static_cast<uint32_t>(settings_.drain_timeout_ms));
  if (sweep_timer_) host().timer_cancel(sweep_timer_);
  link_->close(settings_.drain_timeout_ms);
  link_.reset();  // paho destroyed: no callback runs after this
  std::unordered_map<uint64_t, InFlight> left;
  std::deque<PendingPublish> buffered;
  {
    std::lock_guard lock(mutex_);
    left.swap(in_flight_);
    awaiting_acks().fetch_sub(static_cast<int64_t>(left.size()));
    while (auto p = buffer_.take()) buffered.push_back(std::move(*p));
    for (auto& [p, id] : window_) buffered.push_back(std::move(p));
    window_.clear();
    for (Slot* s : slots_) delete s;
    slots_.clear();
  }
  for (auto& [seq, f] : left)
    if (f.completion) f.completion.fail(Status::kClosed, "the MQTT connector is shutting down");
  for (auto& p : buffered)
    p.completion.fail(Status::kClosed, "the MQTT connector shut down while disconnected");
  router_.fail_all(Status::kClosed, "the MQTT connector is shutting down");
}

Status MqttPlugin::subscribe(std::string_view pattern, std::string& error) {
  if (pattern.empty()) return Status::kOk;  // the whole connector: `subscriptions`
  std::string filter = expand_names(pattern, host().node_id(), host().connector_name());
  if (auto problem = filter_problem(filter); !problem.empty()) {
    error = problem;
    return Status::kRejected;
  }
  if (filter.starts_with("$share/") && !link_->v5()) {
    error = "shared subscription '" + filter + "' needs `protocol: \"5\"`";
    return Status::kRejected;
  }
  for (const auto& s : settings_.subscriptions)
    if (filter_covered_by(filter, s.topic)) return Status::kOk;
  for (const auto& s : route_subscriptions_)
    if (s.topic == filter) return Status::kOk;
  route_subscriptions_.push_back(
      Subscription{filter, settings_.qos,
                   "the route's 'from: " + std::string(host().connector_name()) + ":" +
                       std::string(pattern) + "'"});
  return Status::kOk;
}

Status MqttPlugin::start(std::string& /*error*/) {
  std::vector<Subscription> subs = settings_.subscriptions;
  subs.insert(subs.end(), route_subscriptions_.begin(), route_subscriptions_.end());
  if (link_->v5()) subs.push_back(Subscription{settings_.response_topic, 1, "'response_topic'"});
  started_ = true;
  sweep_timer_ = host().timer_start(100, 100, [this] { sweep(); });
  link_->start(std::move(subs));
  return Status::kOk;
}

void MqttPlugin::stop() {
  if (stopped_.exchange(true)) return;
  std::unique_lock gate(emit_gate_);  // waits for a delivery in progress
  closing_ = true;
}

int MqttPlugin::on_message(char* topic_data, int topic_len, MQTTAsync_message* m) {
  std::string_view topic(topic_data,
                         topic_len > 0 ? static_cast<size_t>(topic_len) : std::strlen(topic_data));
  auto taken = [&] {
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic_data);
    return 1;
  };
  if (link_->v5() && topic == settings_.response_topic) {
    on_reply(topic, m);
    return taken();
  }
  if (settings_.max_payload_bytes > 0 && m->payloadlen > settings_.max_payload_bytes) {
    metrics_.dropped_oversized.add();
    dead_letter(topic, *m, "oversized");
    return taken();
  }
  std::shared_lock gate(emit_gate_);
  if (closing_) {
    // After stop() nothing is emitted; paho keeps it (QoS 1/2: acknowledged).
    if (refused_at_stop_.insert(m).second) metrics_.dropped_at_stop.add();
    return 0;
  }
  OutMessage out;
  out.payload = std::string_view(static_cast<const char*>(m->payload), m->payloadlen);
  out.subject = topic;
  std::string scratch;
  incoming_headers(*m, scratch, out.headers);
  std::string reply_to;
  if (link_->v5())
    if (auto rt = string_property(m->properties, MQTTPROPERTY_CODE_RESPONSE_TOPIC)) {
      auto corr = string_property(m->properties, MQTTPROPERTY_CODE_CORRELATION_DATA);
      reply_to = encode_reply_to(*rt, corr.value_or(std::string_view()));
      out.reply_to = reply_to;
    }
  // Wait for room only when no publish or request waits for paho's thread
  // (see awaiting_acks.hpp); otherwise hand over at once or defer to paho.
  uint32_t wait_ms =
      awaiting_acks().load() == 0 ? static_cast<uint32_t>(settings_.accept_wait_ms) : 0;
  Status s = host().emit(out, 0, wait_ms);
  switch (s) {
    case Status::kOk:
      metrics_.received[std::clamp(m->qos, 0, 2)].add();
      return taken();
    case Status::kRejected:
      metrics_.dropped_rejected.add();
      gate.unlock();
      dead_letter(topic, *m, "rejected by sluice");
      return taken();
    default:  // busy (backpressure) or closed: offered again later
      metrics_.deferred.add();
      return 0;
  }
}

void MqttPlugin::on_reply(std::string_view topic, MQTTAsync_message* m) {
  auto corr = string_property(m->properties, MQTTPROPERTY_CODE_CORRELATION_DATA);
  OutMessage reply;
  reply.payload = std::string_view(static_cast<const char*>(m->payload), m->payloadlen);
  reply.subject = topic;
  std::string scratch;
  incoming_headers(*m, scratch, reply.headers);
  if (corr && router_.complete(std::string(*corr), reply))
    metrics_.requests_ok.add();
  else
    metrics_.replies_unmatched.add();
}

void MqttPlugin::dead_letter(std::string_view topic, const MQTTAsync_message& m,
                             const char* reason) {
  if (oversized_logged_++ % 1000 == 0)
    host().logf(LogLevel::kWarn,
                "MQTT message on '%.*s' (%d bytes) not emitted: %s%s (%llu so far)",
                static_cast<int>(topic.size()), topic.data(), m.payloadlen, reason,
                settings_.dead_letter_topic.empty() ? "" : "; sent to dead_letter_topic",
                static_cast<unsigned long long>(oversized_logged_));
  if (settings_.dead_letter_topic.empty()) return;
  PendingPublish p;
  p.message.topic = settings_.dead_letter_topic;
  p.message.payload.assign(static_cast<const char*>(m.payload), m.payloadlen);
  p.message.qos = 1;
  if (link_->v5()) {
    p.message.properties.add_pair("sluice-reason", reason);
    p.message.properties.add_pair("sluice-topic", topic);
  }
  p.deadline = Clock::now() + std::chrono::milliseconds(settings_.publish_timeout_ms);
  std::string error;
  send_now(p, {}, error);
}

void MqttPlugin::on_connected() {
  if (!settings_.birth_topic.empty()) {
    PendingPublish p;
    p.message.topic = settings_.birth_topic;
    p.message.payload = settings_.birth_payload;
    p.message.qos = settings_.birth_qos;
    p.message.retain = settings_.birth_retain;
    p.deadline = Clock::now() + std::chrono::milliseconds(settings_.publish_timeout_ms);
    std::string error;
    send_now(p, {}, error);
  }
  pump_window();
  flush_buffer();
}

void MqttPlugin::flush_buffer() {
  // What waited while disconnected goes out after what was already queued
  // for the broker's Receive Maximum, oldest first.
  {
    std::lock_guard lock(mutex_);
    while (auto p = buffer_.take()) window_.emplace_back(std::move(*p), std::string());
    metrics_.buffered.set(0);
  }
  pump_window();
}

Status MqttPlugin::outgoing(const MessageView& message, PendingPublish& p,
                            std::string& error) const {
  p.message.topic.assign(message.subject());
  if (p.message.topic.empty()) p.message.topic = settings_.topic;
  if (p.message.topic.empty()) {
    error = "the message has no subject and the connector has no 'topic'";
    return Status::kRejected;
  }
  if (auto problem = topic_problem(p.message.topic); !problem.empty()) {
    error = "cannot publish: " + problem;
    return Status::kRejected;
  }
  p.message.qos = settings_.qos;
  p.message.retain = settings_.retain;
  if (auto problem = outgoing_from(message, link_->v5(), p.message); !problem.empty()) {
    error = "cannot publish to '" + p.message.topic + "': " + problem;
    return Status::kRejected;
  }
  p.message.payload.assign(message.payload());
  p.deadline = Clock::now() + std::chrono::milliseconds(settings_.publish_timeout_ms);
  return Status::kOk;
}

Status MqttPlugin::send(PendingPublish& p, std::string& error, const std::string& request_id) {
  if (!link_->ever_connected()) return Status::kBusy;
  bool reserved = false;
  if (link_->connected()) {
    std::lock_guard lock(mutex_);
    if (in_flight_.size() + window_.size() >= static_cast<size_t>(settings_.max_inflight))
      return Status::kBusy;
    if (p.message.qos > 0) {
      if (!window_.empty() || acked_in_flight_ >= static_cast<size_t>(link_->receive_maximum())) {
        window_.emplace_back(std::move(p), request_id);  // sent when a PUBACK frees room
        return Status::kOk;
      }
      ++acked_in_flight_;
      reserved = true;
    }
  }
  Sent sent = link_->connected() ? send_now(p, request_id, error, reserved) : Sent::kDisconnected;
  if (reserved && sent != Sent::kSent) {
    std::lock_guard lock(mutex_);
    --acked_in_flight_;
  }
  switch (sent) {
    case Sent::kSent:
      return Status::kOk;
    case Sent::kFull:
      return Status::kBusy;
    case Sent::kFailed:
      return Status::kError;
    case Sent::kDisconnected:
      break;
  }
  if (!request_id.empty()) {
    error = "the MQTT connection is down";
    return Status::kError;  // a request is as good as its timeout: not buffered
  }
  std::optional<PendingPublish> dropped;
  OfflineBuffer::Added added;
  {
    std::lock_guard lock(mutex_);
    added = buffer_.add(p, dropped);
    metrics_.buffered.set(static_cast<double>(buffer_.size()));
  }
  if (added == OfflineBuffer::Added::kRefused) return Status::kBusy;
  if (dropped) {
    metrics_.dropped_offline.add();
    host().logf(LogLevel::kWarn,
                "MQTT offline buffer full (max_buffered %lld): dropped the oldest publish to "
                "'%s'",
                static_cast<long long>(settings_.max_buffered), dropped->message.topic.c_str());
    dropped->completion.fail(Status::kError,
                             "dropped from the full MQTT offline buffer (max_buffered)");
  }
  // The link may have come up (and drained the buffer) meanwhile.
  if (link_->connected()) flush_buffer();
  return Status::kOk;
}

MqttPlugin::Sent MqttPlugin::send_now(PendingPublish& p, const std::string& request_id,
                                      std::string& error, bool reserved) {
  auto* slot = new Slot{this, 0};
  {
    std::lock_guard lock(mutex_);
    slot->seq = next_seq_++;
    slots_.insert(slot);
    in_flight_.emplace(slot->seq, InFlight{std::move(p.completion), Clock::now(), p.deadline,
                                           p.message.qos, request_id});
    awaiting_acks().fetch_add(1);
    if (p.message.qos > 0 && !reserved) ++acked_in_flight_;
  }
  MQTTAsync_responseOptions options = MQTTAsync_responseOptions_initializer;
  options.context = slot;
  if (link_->v5()) {
    options.onSuccess5 = &MqttPlugin::on_publish_success5;
    options.onFailure5 = &MqttPlugin::on_publish_failure5;
  } else {
    options.onSuccess = &MqttPlugin::on_publish_success;
    options.onFailure = &MqttPlugin::on_publish_failure;
  }
  MQTTAsync_message m = MQTTAsync_message_initializer;
  m.payload = p.message.payload.data();
  m.payloadlen = static_cast<int>(p.message.payload.size());
  m.qos = p.message.qos;
  m.retained = p.message.retain ? 1 : 0;
  if (link_->v5()) m.properties = *p.message.properties.get();  // paho copies
  int rc = MQTTAsync_sendMessage(link_->handle(), p.message.topic.c_str(), &m, &options);
  if (rc == MQTTASYNC_SUCCESS) return Sent::kSent;
  {
    std::lock_guard lock(mutex_);
    auto it = in_flight_.find(slot->seq);
    p.completion = std::move(it->second.completion);
    in_flight_.erase(it);
    awaiting_acks().fetch_sub(1);
    if (p.message.qos > 0 && !reserved) --acked_in_flight_;  // a reservation is the caller's
    slots_.erase(slot);
    delete slot;
  }
  if (rc == MQTTASYNC_DISCONNECTED) return Sent::kDisconnected;
  if (rc == MQTTASYNC_MAX_MESSAGES_INFLIGHT || rc == MQTTASYNC_NO_MORE_MSGIDS ||
      rc == MQTTASYNC_MAX_BUFFERED_MESSAGES)
    return Sent::kFull;
  const char* text = MQTTAsync_strerror(rc);
  error = "cannot publish to '" + p.message.topic + "': " + (text ? text : "paho error");
  return Sent::kFailed;
}

void MqttPlugin::published(Slot* slot, bool ok, std::string error) {
  std::optional<InFlight> done;
  {
    std::lock_guard lock(mutex_);
    if (auto it = in_flight_.find(slot->seq); it != in_flight_.end()) {
      done.emplace(std::move(it->second));
      in_flight_.erase(it);
      awaiting_acks().fetch_sub(1);
      if (done->qos > 0) --acked_in_flight_;
    }
    slots_.erase(slot);
    delete slot;
  }
  pump_window();
  if (!done) return;  // timed out already
  if (!ok) {
    metrics_.publish_failed.add();
    if (!done->request_id.empty()) fail_request(done->request_id, Status::kError, error);
    if (done->completion) done->completion.fail(Status::kError, error);
    return;
  }
  int qos = std::clamp(done->qos, 0, 2);
  metrics_.published[qos].add();
  if (qos > 0)
    metrics_.ack_seconds.add(std::chrono::duration<double>(Clock::now() - done->start).count());
  if (done->completion) done->completion.ok();
}

void MqttPlugin::fail_request(const std::string& request_id, Status status,
                              const std::string& why) {
  Completion c;
  if (router_.take_back(request_id, c)) c.fail(status, why);
}

void MqttPlugin::on_publish_success(void* ctx, MQTTAsync_successData*) {
  auto* slot = static_cast<Slot*>(ctx);
  slot->self->published(slot, true, {});
}

void MqttPlugin::on_publish_success5(void* ctx, MQTTAsync_successData5* r) {
  auto* slot = static_cast<Slot*>(ctx);
  // v5: a PUBACK may carry a failure reason (e.g. not authorised, quota).
  if (r && r->reasonCode >= 0x80)
    slot->self->published(slot, false,
                          "the broker refused the publish: " + reason_text(r->reasonCode));
  else
    slot->self->published(slot, true, {});
}

void MqttPlugin::on_publish_failure(void* ctx, MQTTAsync_failureData* r) {
  auto* slot = static_cast<Slot*>(ctx);
  std::string why = r && r->message ? r->message : "publish failed";
  slot->self->published(slot, false, "MQTT publish failed: " + why);
}

void MqttPlugin::on_publish_failure5(void* ctx, MQTTAsync_failureData5* r) {
  auto* slot = static_cast<Slot*>(ctx);
  std::string why = r && r->message ? r->message : "";
  if (r && r->reasonCode >= 0x80) why += (why.empty() ? "" : ": ") + reason_text(r->reasonCode);
  slot->self->published(slot, false, "MQTT publish failed: " + (why.empty() ? "no reason" : why));
}

Status MqttPlugin::publish(const MessageView& message, Completion& completion, std::string& error) {
  if (!started_) return Status::kBusy;  // the host may route here before start
  PendingPublish p;
  if (Status s = outgoing(message, p, error); s != Status::kOk) return s;
  p.completion = std::move(completion);
  Status s = send(p, error);
  if (s != Status::kOk) completion = std::move(p.completion);
  return s;
}

Status MqttPlugin::request(const MessageView& message, uint32_t timeout_ms, Completion& completion,
                           std::string& error) {
  if (!link_->v5()) {
    error = "MQTT requests need `protocol: \"5\"` (response topic and correlation data)";
    return Status::kUnsupported;
  }
  if (!started_) return Status::kBusy;
  PendingPublish p;
  if (Status s = outgoing(message, p, error); s != Status::kOk) return s;
  int64_t timeout = timeout_ms > 0 ? timeout_ms : settings_.request_timeout_ms;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout);
  std::string id = router_.add(completion, deadline);
  p.message.properties.add_string(MQTTPROPERTY_CODE_RESPONSE_TOPIC, settings_.response_topic);
  p.message.properties.add_string(MQTTPROPERTY_CODE_CORRELATION_DATA, id);
  p.deadline = deadline;
  Status s = send(p, error, id);
  if (s != Status::kOk) router_.take_back(id, completion);
  return s;
}

Status MqttPlugin::reply(std::string_view reply_to, const MessageView& message,
                         Completion& completion, std::string& error) {
  std::string topic, correlation;
  if (!decode_reply_to(reply_to, topic, correlation)) {
    error = "the request carried no MQTT response topic";
    return Status::kRejected;
  }
  if (!started_) return Status::kBusy;
  PendingPublish p;
  p.message.topic = topic;
  p.message.qos = settings_.qos;
  if (auto problem = outgoing_from(message, true, p.message); !problem.empty()) {
    error = "cannot reply: " + problem;
    return Status::kRejected;
  }
  if (!correlation.empty())
    p.message.properties.add_string(MQTTPROPERTY_CODE_CORRELATION_DATA, correlation);
  p.message.payload.assign(message.payload());
  p.deadline = Clock::now() + std::chrono::milliseconds(settings_.publish_timeout_ms);
  p.completion = std::move(completion);
  Status s = send(p, error);
  if (s != Status::kOk) completion = std::move(p.completion);
  return s;
}

void MqttPlugin::sweep() {
  auto now = Clock::now();
  std::vector<InFlight> expired;
  std::deque<PendingPublish> expired_buffered;
  std::vector<std::string> expired_requests;
  {
    std::lock_guard lock(mutex_);
    for (auto it = in_flight_.begin(); it != in_flight_.end();) {
      if (it->second.deadline <= now) {
        expired.push_back(std::move(it->second));
        if (it->second.qos > 0) --acked_in_flight_;
        it = in_flight_.erase(it);  // its Slot stays until paho calls back
        awaiting_acks().fetch_sub(1);
      } else {
        ++it;
      }
    }
    expired_buffered = buffer_.take_expired(now);
    for (auto it = window_.begin(); it != window_.end();) {
      if (it->first.deadline <= now) {
        if (!it->second.empty()) expired_requests.push_back(it->second);
        expired_buffered.push_back(std::move(it->first));
        it = window_.erase(it);
      } else {
        ++it;
      }
    }
    metrics_.buffered.set(static_cast<double>(buffer_.size()));
    metrics_.in_flight.set(static_cast<double>(in_flight_.size()));
  }
  for (auto& f : expired) {
    metrics_.publish_failed.add();
    if (f.completion) f.completion.fail(Status::kTimeout, "no PUBACK/PUBCOMP in time");
  }
  for (auto& p : expired_buffered) {
    metrics_.publish_failed.add();
    p.completion.fail(Status::kTimeout, "the MQTT broker stayed unreachable (publish_timeout_ms)");
  }
  for (const auto& id : expired_requests)
    fail_request(id, Status::kTimeout, "no room to send the request in time");
  metrics_.requests_timeout.add(static_cast<double>(router_.expire(now)));
  metrics_.subscriptions_active.set(static_cast<double>(link_->subscriptions_active()));
  metrics_.connected.set(link_->connected() ? 1 : 0);
  uint64_t reconnects = link_->reconnects();
  metrics_.reconnects.add(static_cast<double>(reconnects - reconnects_reported_));
  reconnects_reported_ = reconnects;
  pump_window();  // after a reconnect or an expiry freed room
}

void MqttPlugin::pump_window() {
  while (link_->connected()) {
    std::pair<PendingPublish, std::string> next;
    bool acked = false;
    {
      std::lock_guard lock(mutex_);
      if (window_.empty()) return;
      acked = window_.front().first.message.qos > 0;
      if (acked && acked_in_flight_ >= static_cast<size_t>(link_->receive_maximum())) return;
      next = std::move(window_.front());
      window_.pop_front();
      if (acked) ++acked_in_flight_;
    }
    std::string error;
    Sent sent = send_now(next.first, next.second, error, acked);
    if (sent == Sent::kSent) continue;
    std::lock_guard lock(mutex_);
    if (acked) --acked_in_flight_;
    if (sent == Sent::kFailed) {
      metrics_.publish_failed.add();
      if (!next.second.empty()) {
        Completion c;
        if (router_.take_back(next.second, c)) c.fail(Status::kError, error);
      }
      next.first.completion.fail(Status::kError, error);
      continue;
    }
    window_.push_front(std::move(next));  // disconnected or full: later
    return;
  }
}

Status MqttPlugin::flush(uint32_t timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    {
      std::lock_guard lock(mutex_);
      bool owed = false;
      for (const auto& [seq, f] : in_flight_) owed = owed || static_cast<bool>(f.completion);
      if (!owed && buffer_.size() == 0 && window_.empty()) return Status::kOk;
    }
    if (Clock::now() >= deadline) return Status::kTimeout;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

Health MqttPlugin::health() {
  Health h;
  h.message = link_->describe();
  size_t buffered;
  {
    std::lock_guard lock(mutex_);
    buffered = buffer_.size();
  }
  if (buffered > 0) h.message += "; " + std::to_string(buffered) + " publishes buffered";
  h.healthy = link_->connected() && link_->problem().empty();
  return h;
}

}  // namespace sluice::mqtt

using sluice::mqtt::MqttPlugin;
SLUICE_PLUGIN(MqttPlugin, "mqtt", "0.1.0",
              "MQTT 3.1.1/5: QoS 0/1/2 subscriptions with wildcards and shared groups, "
              "publishing with an offline buffer, MQTT 5 request/response",
              SLUICE_CAP_SOURCE | SLUICE_CAP_SINK | SLUICE_CAP_REQUEST, sluice::mqtt::settings_spec)
