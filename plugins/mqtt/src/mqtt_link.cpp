// The connected paho client (see mqtt_link.hpp).
#include "mqtt_link.hpp"

#include <MQTTReasonCodes.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sluice/common/backoff.hpp>

namespace sluice::mqtt {

namespace {

std::string text_of(const char* s) { return s ? std::string(s) : std::string(); }

}  // namespace

std::string reason_text(int code) {
  const char* name = MQTTReasonCode_toString(static_cast<MQTTReasonCodes>(code));
  return std::string(name ? name : "Unknown reason") + " (" + std::to_string(code) + ")";
}

std::string suback_text(int code, bool v5) {
  // MQTT 3.1.1 has one failure code (0x80) and no reason; v5 names it.
  if (!v5 && code == 0x80) return "Failure (128, 0x80)";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", code & 0xFF);
  std::string text = reason_text(code);
  text.insert(text.size() - 1, std::string(", ") + hex);
  return text;
}

std::string connect_hint(int code, bool v5) {
  if (v5) {
    switch (code) {
      case MQTTREASONCODE_BAD_USER_NAME_OR_PASSWORD:
        return "check 'username' and 'password'";
      case MQTTREASONCODE_NOT_AUTHORIZED:
        return "check 'username' and 'password' and the broker's ACL";
      case MQTTREASONCODE_CLIENT_IDENTIFIER_NOT_VALID:
        return "check 'client_id'";
      case MQTTREASONCODE_UNSUPPORTED_PROTOCOL_VERSION:
        return "the broker does not speak MQTT 5: set 'protocol: \"3.1.1\"'";
      default:
        return "check 'url'";
    }
  }
  switch (code) {
    case 1:
      return "the broker refused the protocol version: check 'protocol'";
    case 2:
      return "check 'client_id'";
    case 4:
      return "check 'username' and 'password'";
    case 5:
      return "not authorised: check 'username' and 'password' and the broker's ACL";
    default:
      return "check 'url' (and 'tls' for ssl://)";
  }
}

MqttLink::MqttLink(const Host& host, const MqttSettings& settings, Events events)
    : host_(host), settings_(settings), events_(std::move(events)) {}

MqttLink::~MqttLink() {
  close(0);
  if (client_) MQTTAsync_destroy(&client_);
}

bool MqttLink::create(std::string& error) {
  MQTTAsync_createOptions options = MQTTAsync_createOptions_initializer;
  options.MQTTVersion = v5() ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
  options.sendWhileDisconnected = 0;  // sluice buffers itself, bounded and counted
  // paho also bounds the publishes queued for its send thread while
  // connected (default 100); max_inflight is the plugin's own bound.
  options.maxBufferedMessages = static_cast<int>(settings_.max_inflight) + 1000;
  int rc = MQTTAsync_createWithOptions(&client_, settings_.urls.front().c_str(),
                                       settings_.client_id.c_str(), MQTTCLIENT_PERSISTENCE_NONE,
                                       nullptr, &options);
  if (rc != MQTTASYNC_SUCCESS) {
    error = "cannot create the MQTT client for '" + settings_.urls.front() +
            "': " + text_of(MQTTAsync_strerror(rc)) + " (check 'url' and 'client_id')";
    return false;
  }
  MQTTAsync_setCallbacks(client_, this, &MqttLink::on_connection_lost,
                         &MqttLink::on_message_arrived, nullptr);
  return true;
}

void MqttLink::start(std::vector<Subscription> subscriptions) {
  subscriptions_ = std::move(subscriptions);
  thread_ = std::thread([this] { run(); });
}

void MqttLink::close(int64_t timeout_ms) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (client_ && MQTTAsync_isConnected(client_)) {
    MQTTAsync_disconnectOptions options = MQTTAsync_disconnectOptions_initializer;
    if (v5()) {
      MQTTAsync_disconnectOptions v5options = MQTTAsync_disconnectOptions_initializer5;
      options = v5options;
    }
    options.timeout = static_cast<int>(timeout_ms);
    MQTTAsync_disconnect(client_, &options);
    // Bounded: paho gives up on its own after `timeout`.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms + 1000);
    while (MQTTAsync_isConnected(client_) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  state_ = LinkState::kClosed;
}

std::string MqttLink::describe() const {
  std::lock_guard lock(mutex_);
  std::string s = "client '" + settings_.client_id + "' ";
  switch (state_.load()) {
    case LinkState::kConnected:
      s += "connected to " + server_ + ", " + std::to_string(active_subscriptions_.load()) + "/" +
           std::to_string(subscriptions_.size()) + " subscriptions active";
      break;
    case LinkState::kConnecting:
      s += "connecting to " + settings_.urls.front();
      break;
    case LinkState::kDisconnected:
      s += "disconnected, reconnecting";
      break;
    case LinkState::kClosed:
      s += "closed";
      break;
  }
  if (!problem_.empty()) s += "; " + problem_;
  return s;
}

std::string MqttLink::problem() const {
  std::lock_guard lock(mutex_);
  return problem_;
}

void MqttLink::set_problem(std::string problem) {
  std::lock_guard lock(mutex_);
  problem_ = std::move(problem);
}

void MqttLink::run() {
  common::Backoff backoff;
  auto policy = settings_.reconnect.backoff();
  int failures = 0;
  std::string last_error;
  bool ever_connected = false;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      lost_ = false;
    }
    std::string error;
    if (connect_once(error)) {
      if (ever_connected) ++reconnects_;
      ever_connected = true;
      failures = 0;
      last_error.clear();
      bool subscribed = subscribe_all();
      state_ = LinkState::kConnected;
      ever_connected_ = true;
      host_.logf(LogLevel::kInfo, "MQTT connector ready: %s", describe().c_str());
      if (subscribed) set_problem("");
      if (events_.on_connected) events_.on_connected();
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || lost_; });
      if (stopping_) return;
      continue;  // lost: reconnect at once, then back off
    }
    state_ = ever_connected ? LinkState::kDisconnected : LinkState::kConnecting;
    set_problem(error);
    if (error != last_error) host_.log(LogLevel::kError, "MQTT: " + error);
    last_error = error;
    auto delay = backoff.after(policy, ++failures);
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, delay, [&] { return stopping_; });
  }
}

bool MqttLink::connect_once(std::string& error) {
  MQTTAsync_connectOptions options = MQTTAsync_connectOptions_initializer;
  MQTTAsync_connectOptions v5options = MQTTAsync_connectOptions_initializer5;
  if (v5()) options = v5options;
  MQTTProperties properties = MQTTProperties_initializer;
  MQTTProperties will_properties = MQTTProperties_initializer;
  std::vector<char*> uris;
  for (const auto& url : settings_.urls) uris.push_back(const_cast<char*>(url.c_str()));
  options.serverURIs = uris.data();
  options.serverURIcount = static_cast<int>(uris.size());
  options.keepAliveInterval = settings_.keep_alive_s;
  options.connectTimeout = static_cast<int>((settings_.connect_timeout_ms + 999) / 1000);
  // Headroom over the plugin's own bound: a publish paho holds back for a
  // full window waits for its send thread's next wake-up (up to a second,
  // as nothing signals it when a PUBACK frees the window), so paho's window
  // must never be what limits (races between workers, birth, dead letters).
  options.maxInflight = static_cast<int>(std::min<int64_t>(settings_.max_inflight + 1000, 65535));
  options.automaticReconnect = 0;
  options.context = this;
  if (v5()) {
    options.cleanstart = settings_.clean_session ? 1 : 0;
    MQTTProperty expiry{};
    expiry.identifier = MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL;
    expiry.value.integer4 = static_cast<unsigned int>(settings_.session_expiry_s);
    MQTTProperties_add(&properties, &expiry);
    options.connectProperties = &properties;
    options.onSuccess5 = &MqttLink::on_connect_success5;
    options.onFailure5 = &MqttLink::on_connect_failure5;
  } else {
    options.cleansession = settings_.clean_session ? 1 : 0;
    options.onSuccess = &MqttLink::on_connect_success;
    options.onFailure = &MqttLink::on_connect_failure;
  }
  if (!settings_.username.empty()) options.username = settings_.username.c_str();
  if (!settings_.password.empty()) options.password = settings_.password.c_str();
  MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
  if (!settings_.will_topic.empty()) {
    will.topicName = settings_.will_topic.c_str();
    will.payload.data = settings_.will_payload.data();
    will.payload.len = static_cast<int>(settings_.will_payload.size());
    will.message = nullptr;
    will.qos = settings_.will_qos;
    will.retained = settings_.will_retain ? 1 : 0;
    options.will = &will;
    if (v5()) options.willProperties = &will_properties;
  }
  MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
  if (settings_.tls.enabled) {
    if (!settings_.tls.ca_file.empty()) ssl.trustStore = settings_.tls.ca_file.c_str();
    if (!settings_.tls.cert_file.empty()) ssl.keyStore = settings_.tls.cert_file.c_str();
    if (!settings_.tls.key_file.empty()) ssl.privateKey = settings_.tls.key_file.c_str();
    ssl.enableServerCertAuth = settings_.tls.verify ? 1 : 0;
    ssl.verify = settings_.tls.verify ? 1 : 0;
    ssl.ssl_error_cb = &MqttLink::on_ssl_error;
    ssl.ssl_error_context = this;
    options.ssl = &ssl;
  }
  {
    std::lock_guard lock(mutex_);
    connect_result_ = Result{};
    ssl_error_.clear();
  }
  state_ = state_ == LinkState::kConnected ? LinkState::kDisconnected : state_.load();
  int rc = MQTTAsync_connect(client_, &options);
  MQTTProperties_free(&properties);
  MQTTProperties_free(&will_properties);
  if (rc != MQTTASYNC_SUCCESS) {
    error = "cannot start connecting: " + text_of(MQTTAsync_strerror(rc)) + " (check 'url')";
    return false;
  }
  // paho gives up after connectTimeout per URL; wait a little longer.
  auto timeout = std::chrono::milliseconds(
      (options.connectTimeout + 1) * 1000 * static_cast<int64_t>(uris.size()) + 1000);
  std::unique_lock lock(mutex_);
  bool done = wake_.wait_for(lock, timeout, [&] { return connect_result_.done || stopping_; });
  if (stopping_ && !connect_result_.done) {
    error = "stopping";
    return false;
  }
  if (!done) {
    error = "connecting to " + settings_.urls.front() + " timed out (check 'url')";
    return false;
  }
  if (connect_result_.ok) return true;
  const Result& r = connect_result_;
  std::string where = settings_.urls.size() == 1 ? settings_.urls.front() : "every URL of 'url'";
  if (r.code > 0) {
    error = "the broker at " + where + " refused the connection of client '" + settings_.client_id +
            "': " + (v5() ? reason_text(r.code) : "return code " + std::to_string(r.code)) + "; " +
            connect_hint(r.code, v5());
  } else {
    error = "cannot connect to " + where + ": " + (r.message.empty() ? "no answer" : r.message);
    if (!ssl_error_.empty()) error += " (TLS: " + ssl_error_ + "; check 'tls')";
  }
  return false;
}

bool MqttLink::subscribe_all() {
  size_t active = 0;
  std::string failures;
  for (const auto& sub : subscriptions_) {
    MQTTAsync_responseOptions options = MQTTAsync_responseOptions_initializer;
    MQTTAsync_responseOptions v5options = MQTTAsync_responseOptions_initializer;
    if (v5()) options = v5options;
    options.context = this;
    if (v5()) {
      options.onSuccess5 = &MqttLink::on_sub_success5;
      options.onFailure5 = &MqttLink::on_sub_failure5;
    } else {
      options.onSuccess = &MqttLink::on_sub_success;
      options.onFailure = &MqttLink::on_sub_failure;
    }
    // Not under mutex_: paho's thread holds its own lock while it files the
    // result under ours. results_ is keyed by token, so an early answer waits.
    int rc = MQTTAsync_subscribe(client_, sub.topic.c_str(), sub.qos, &options);
    Result r;
    if (rc == MQTTASYNC_SUCCESS) {
      r = wait_result(options.token, settings_.connect_timeout_ms + 5000);
    } else {
      r.done = true;
      r.message = text_of(MQTTAsync_strerror(rc));
    }
    bool granted = r.done && r.ok && r.code < 0x80;
    if (granted) {
      ++active;
      continue;
    }
    std::string why = !r.done          ? "no SUBACK in time"
                      : r.code >= 0x80 ? suback_text(r.code, v5())
                                       : (r.message.empty() ? "refused" : r.message);
    std::string text = "the broker refused the subscription '" + sub.topic + "' (QoS " +
                       std::to_string(sub.qos) + "): " + why + "; check " + sub.origin +
                       " and the broker's ACL";
    host_.log(LogLevel::kError, text);
    failures += (failures.empty() ? "" : "; ") + text;
  }
  active_subscriptions_ = active;
  if (!failures.empty()) set_problem(failures);
  return failures.empty();
}

MqttLink::Result MqttLink::wait_result(int token, int64_t timeout_ms) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    auto it = results_.find(token);
    return stopping_ || lost_ || (it != results_.end() && it->second.done);
  });
  Result r;
  if (auto it = results_.find(token); it != results_.end()) {
    r = it->second;
    results_.erase(it);
  }
  return r;
}

void MqttLink::finish_connect(Result r) {
  {
    std::lock_guard lock(mutex_);
    r.done = true;
    connect_result_ = std::move(r);
  }
  wake_.notify_all();
}

void MqttLink::finish_token(int token, Result r) {
  {
    std::lock_guard lock(mutex_);
    r.done = true;
    results_[token] = std::move(r);
  }
  wake_.notify_all();
}

void MqttLink::on_connect_success(void* ctx, MQTTAsync_successData* r) {
  auto* self = static_cast<MqttLink*>(ctx);
  {
    std::lock_guard lock(self->mutex_);
    self->server_ = text_of(r ? r->alt.connect.serverURI : nullptr);
  }
  self->finish_connect(Result{true, true, 0, {}});
}

void MqttLink::on_connect_success5(void* ctx, MQTTAsync_successData5* r) {
  auto* self = static_cast<MqttLink*>(ctx);
  int receive_maximum = 65535;
  if (r)
    for (int i = 0; i < r->properties.count; ++i)
      if (r->properties.array[i].identifier == MQTTPROPERTY_CODE_RECEIVE_MAXIMUM)
        receive_maximum = std::max<int>(1, r->properties.array[i].value.integer2);
  self->receive_maximum_ = receive_maximum;
  {
    std::lock_guard lock(self->mutex_);
    self->server_ = text_of(r ? r->alt.connect.serverURI : nullptr);
  }
  self->finish_connect(Result{true, true, 0, {}});
}

void MqttLink::on_connect_failure(void* ctx, MQTTAsync_failureData* r) {
  Result result;
  // v3.1.1: a positive code is the CONNACK return code (refused).
  if (r) result.code = r->code > 0 && r->code <= 5 ? r->code : 0;
  if (r) result.message = text_of(r->message);
  if (r && result.message.empty()) result.message = text_of(MQTTAsync_strerror(r->code));
  static_cast<MqttLink*>(ctx)->finish_connect(std::move(result));
}

void MqttLink::on_connect_failure5(void* ctx, MQTTAsync_failureData5* r) {
  Result result;
  // paho 1.3 passes a refusing CONNACK's reason code in `code` (with the
  // message "CONNACK return code"), not in `reasonCode`.
  if (r) result.code = r->reasonCode >= 0x80 ? r->reasonCode : (r->code >= 0x80 ? r->code : 0);
  if (r) result.message = text_of(r->message);
  if (r && result.message.empty()) result.message = text_of(MQTTAsync_strerror(r->code));
  static_cast<MqttLink*>(ctx)->finish_connect(std::move(result));
}

void MqttLink::on_sub_success(void* ctx, MQTTAsync_successData* r) {
  static_cast<MqttLink*>(ctx)->finish_token(r->token, Result{true, true, r->alt.qos, {}});
}

void MqttLink::on_sub_success5(void* ctx, MQTTAsync_successData5* r) {
  // One filter per MQTTAsync_subscribe: its SUBACK reason code is reasonCode
  // (alt.sub is only filled by subscribeMany).
  static_cast<MqttLink*>(ctx)->finish_token(r->token, Result{true, true, r->reasonCode, {}});
}

void MqttLink::on_sub_failure(void* ctx, MQTTAsync_failureData* r) {
  static_cast<MqttLink*>(ctx)->finish_token(r->token,
                                            Result{true, false, 0x80, text_of(r->message)});
}

void MqttLink::on_sub_failure5(void* ctx, MQTTAsync_failureData5* r) {
  int code = r->reasonCode >= 0x80 ? r->reasonCode : 0x80;
  static_cast<MqttLink*>(ctx)->finish_token(r->token,
                                            Result{true, false, code, text_of(r->message)});
}

void MqttLink::on_connection_lost(void* ctx, char* cause) {
  auto* self = static_cast<MqttLink*>(ctx);
  {
    std::lock_guard lock(self->mutex_);
    self->lost_ = true;
    self->problem_ = "connection lost" + (cause ? ": " + std::string(cause) : std::string());
  }
  self->state_ = LinkState::kDisconnected;
  self->active_subscriptions_ = 0;
  self->host_.logf(LogLevel::kWarn, "MQTT connection of client '%s' lost%s%s; reconnecting",
                   self->settings_.client_id.c_str(), cause ? ": " : "", cause ? cause : "");
  if (self->events_.on_lost) self->events_.on_lost();
  self->wake_.notify_all();
}

int MqttLink::on_message_arrived(void* ctx, char* topic, int len, MQTTAsync_message* m) {
  return static_cast<MqttLink*>(ctx)->events_.on_message(topic, len, m);
}

int MqttLink::on_ssl_error(const char* str, size_t len, void* ctx) {
  auto* self = static_cast<MqttLink*>(ctx);
  std::lock_guard lock(self->mutex_);
  std::string text(str, len);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (self->ssl_error_.empty()) self->ssl_error_ = text;
  return 0;
}

}  // namespace sluice::mqtt
