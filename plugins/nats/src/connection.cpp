// One cnats connection and its reported state (see connection.hpp).
#include "connection.hpp"

#include <algorithm>
#include <chrono>
#include <sluice/common/backoff.hpp>

#include "subject.hpp"
#include "thread_name.hpp"

namespace sluice::nats {

const char* link_state_name(LinkState state) {
  switch (state) {
    case LinkState::kConnecting:
      return "connecting";
    case LinkState::kConnected:
      return "connected";
    case LinkState::kReconnecting:
      return "reconnecting";
    case LinkState::kClosed:
      return "closed";
  }
  return "?";
}

std::string nats_error(natsStatus s) {
  std::string text = natsStatus_GetText(s);
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  if (detail && *detail && text.find(detail) == std::string::npos && last == s)
    text += std::string(": ") + detail;
  return text;
}

NatsConnection::NatsConnection(const Host& host, const NatsSettings& settings)
    : host_(host), settings_(settings) {
  connected_gauge_ = host_.gauge("connected", "1 while connected to a NATS server, else 0");
  reconnects_ = host_.counter("reconnects_total", "reconnections after a lost NATS connection");
  connected_gauge_.set(0);
}

NatsConnection::~NatsConnection() {
  close();
  if (opts_) natsOptions_Destroy(opts_);
}

bool NatsConnection::build_options(std::string& error) {
  natsStatus s = natsOptions_Create(&opts_);
  auto step = [&](natsStatus st, const char* what) {
    if (s == NATS_OK && st != NATS_OK) {
      s = st;
      error = std::string(what) + ": " + nats_error(st);
    }
  };
  if (s != NATS_OK) {
    error = "cannot create connection options: " + nats_error(s);
    return false;
  }
  std::vector<const char*> servers;
  for (const auto& url : settings_.urls) servers.push_back(url.c_str());
  step(natsOptions_SetServers(opts_, servers.data(), static_cast<int>(servers.size())), "url");
  step(natsOptions_SetNoRandomize(opts_, servers.size() <= 1), "url");
  if (!settings_.name.empty()) step(natsOptions_SetName(opts_, settings_.name.c_str()), "name");
  step(natsOptions_SetTimeout(opts_, settings_.timeout_ms), "timeout_ms");
  step(natsOptions_SetAllowReconnect(opts_, true), "max_reconnect");
  step(natsOptions_SetMaxReconnect(opts_, settings_.max_reconnect), "max_reconnect");
  step(natsOptions_SetCustomReconnectDelay(opts_, &reconnect_delay_cb, this), "reconnect_wait_ms");
  // No reconnect buffer: cnats then refuses publishes while reconnecting
  // (NATS_INSUFFICIENT_BUFFER) instead of keeping copies it sends later no
  // matter what; the Publisher holds them (reconnect_buffer_bytes) instead.
  step(natsOptions_SetReconnectBufSize(opts_, 0), "reconnect_buffer_bytes");
  step(natsOptions_SetPingInterval(opts_, settings_.ping_interval_ms), "ping_interval_ms");
  step(natsOptions_SetMaxPingsOut(opts_, 2), "ping_interval_ms");
  step(natsOptions_SetNoEcho(opts_, !settings_.echo), "echo");
  step(natsOptions_SetSendAsap(opts_, settings_.send_asap), "send_asap");
  step(natsOptions_SetMaxPendingMsgs(opts_, settings_.pending_limit_msgs), "pending_limit_msgs");
  if (!settings_.user.empty())
    step(natsOptions_SetUserInfo(opts_, settings_.user.c_str(), settings_.password.c_str()),
         "user");
  if (!settings_.token.empty()) step(natsOptions_SetToken(opts_, settings_.token.c_str()), "token");
  if (!settings_.nkey.empty())
    step(natsOptions_SetNKeyFromSeed(opts_, settings_.nkey.c_str(),
                                     settings_.nkey_seed_file.c_str()),
         "nkey_seed_file");
  if (!settings_.creds_file.empty())
    step(natsOptions_SetUserCredentialsFromFiles(opts_, settings_.creds_file.c_str(), nullptr),
         "creds_file");
  if (settings_.tls.enabled) {
    step(natsOptions_SetSecure(opts_, true), "tls");
    if (!settings_.tls.ca_file.empty())
      step(natsOptions_LoadCATrustedCertificates(opts_, settings_.tls.ca_file.c_str()), "tls_ca");
    if (!settings_.tls.cert_file.empty())
      step(natsOptions_LoadCertificatesChain(opts_, settings_.tls.cert_file.c_str(),
                                             settings_.tls.key_file.c_str()),
           "tls_cert/tls_key");
    step(natsOptions_SkipServerVerification(opts_, !settings_.tls.verify), "tls_verify");
  }
  step(natsOptions_SetRetryOnFailedConnect(opts_, true, &connected_cb, this), "url");
  step(natsOptions_SetDisconnectedCB(opts_, &disconnected_cb, this), "callbacks");
  step(natsOptions_SetReconnectedCB(opts_, &reconnected_cb, this), "callbacks");
  step(natsOptions_SetClosedCB(opts_, &closed_cb, this), "callbacks");
  step(natsOptions_SetErrorHandler(opts_, &error_cb, this), "callbacks");
  return s == NATS_OK;
}

bool NatsConnection::open(std::string& error) {
  if (!build_options(error)) return false;
  natsConnection* nc = nullptr;
  natsStatus s = natsConnection_Connect(&nc, opts_);
  if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
    error = "cannot connect to " + redact_url(settings_.urls.front()) + ": " + nats_error(s);
    return false;
  }
  nc_.store(nc);
  // cnats copied the options into the connection. Redials connect
  // synchronously instead: each is one round over the servers, and a
  // failed one leaves no connection for cnats to close behind our back.
  natsOptions_SetRetryOnFailedConnect(opts_, false, nullptr, nullptr);
  redialer_ = std::thread([this] {
    name_this_thread("nats-redial");
    redial_loop();
  });
  if (s == NATS_OK) {
    note_connected(nc);
    return true;
  }
  {
    const char* why = nullptr;
    natsConnection_GetLastError(nc, &why);
    {
      std::lock_guard lock(mutex_);
      if (why && *why) last_error_ = why;
    }
    host_.logf(LogLevel::kWarn, "cannot connect to NATS at %s yet (%s); retrying in the background",
               redact_url(settings_.urls.front()).c_str(), why && *why ? why : "unreachable");
  }
  return true;
}

void NatsConnection::redial_loop() {
  std::unique_lock lock(mutex_);
  std::string logged;
  for (int round = 1;; ++round) {
    changed_.wait(lock, [&] { return closing_ || redial_wanted_; });
    if (closing_) return;
    attempts_.store(round);
    if (settings_.max_reconnect >= 0 && round > settings_.max_reconnect) {
      redial_wanted_ = false;
      state_.store(LinkState::kClosed);
      changed_.notify_all();
      host_.log(LogLevel::kError, "giving up connecting to NATS (max_reconnect reached)");
      return;
    }
    changed_.wait_for(lock, std::chrono::milliseconds(backoff_ms(round)), [&] { return closing_; });
    if (closing_) return;
    lock.unlock();
    natsConnection* nc = nullptr;
    natsStatus s = natsConnection_Connect(&nc, opts_);
    std::string why = s == NATS_OK ? "" : nats_error(s);
    lock.lock();
    if (s != NATS_OK) {
      last_error_ = why;
      if (why != logged)
        host_.logf(LogLevel::kWarn, "cannot connect to NATS at %s (%s); retrying",
                   redact_url(settings_.urls.front()).c_str(), why.c_str());
      logged = why;
      continue;
    }
    // Only the first connection can be closed before it connected: the one
    // replaced here is that one, and it is replaced at most once.
    redial_wanted_ = false;
    closed_seen_ = false;
    retired_ = nc_.exchange(nc);
    if (closing_) return;  // close() closes the new connection
    lock.unlock();
    note_connected(nc);
    lock.lock();
  }
}

void NatsConnection::close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  if (redialer_.joinable()) redialer_.join();
  if (natsConnection* nc = nc_.exchange(nullptr)) {
    natsConnection_Close(nc);
    {
      // cnats reports the close from its own thread; wait for it so that no
      // callback runs on this object after it is gone.
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, std::chrono::seconds(5), [&] { return closed_seen_; });
    }
    natsConnection_Destroy(nc);
  }
  if (retired_) natsConnection_Destroy(retired_);
  retired_ = nullptr;
}

bool NatsConnection::wait_connected(int64_t timeout_ms) {
  // A closed connection never comes back: wait the whole time, so that
  // callers polling in a loop do not spin.
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                    [&] { return state_.load() == LinkState::kConnected; });
  return state_.load() == LinkState::kConnected;
}

std::string NatsConnection::describe() const {
  auto state = state_.load();
  bool redialing;
  {
    std::lock_guard lock(mutex_);
    redialing = redial_wanted_;
  }
  std::string error;
  natsConnection* nc = nc_.load();
  // A connection cnats gave up on only knows "no server available"; the
  // redials keep the real reason in last_error_.
  if (state != LinkState::kConnected && nc && !redialing) {
    // cnats keeps the reason of the last failed attempt (refused, TLS,
    // authorization) in a fixed buffer; reading it does not block.
    const char* text = nullptr;
    natsConnection_GetLastError(nc, &text);
    if (text && *text) error = text;
  }
  std::lock_guard lock(mutex_);
  std::string text = link_state_name(state);
  if (state == LinkState::kConnected) return text + " to " + server_url_;
  text += " to " + redact_url(settings_.urls.front());
  if (settings_.urls.size() > 1) text += " (+" + std::to_string(settings_.urls.size() - 1) + ")";
  if (state == LinkState::kReconnecting || state == LinkState::kConnecting)
    text += ", attempt round " + std::to_string(attempts_.load());
  if (error.empty()) {
    error = last_error_;
  } else if (!last_error_.empty() && error != last_error_) {
    error += " (before: " + last_error_ + ")";  // e.g. the authorization failure behind a close
  }
  if (!error.empty()) text += ": " + error;
  return text;
}

void NatsConnection::set_state(LinkState state) {
  {
    std::lock_guard lock(mutex_);
    state_.store(state);
  }
  changed_.notify_all();
}

void NatsConnection::note_connected(natsConnection* nc) {
  nc_.store(nc);  // connected_cb may come before open() stored it
  char url[256] = {0};
  natsConnection_GetConnectedUrl(nc, url, sizeof url);
  bool reconnect;
  {
    std::lock_guard lock(mutex_);
    server_url_ = redact_url(url);
    last_error_.clear();
    reconnect = ever_connected_;
    ever_connected_ = true;
  }
  attempts_.store(0);
  connected_gauge_.set(1);
  if (reconnect) reconnects_.add(1);
  if (link_up_hook_) link_up_hook_(nc);
  set_state(LinkState::kConnected);
  host_.logf(LogLevel::kInfo, "%s to NATS server %s", reconnect ? "reconnected" : "connected",
             redact_url(url).c_str());
  if (connected_hooks_) connected_hooks_();
}

void NatsConnection::connected_cb(natsConnection* nc, void* self) {
  static_cast<NatsConnection*>(self)->note_connected(nc);
}

void NatsConnection::reconnected_cb(natsConnection* nc, void* self) {
  static_cast<NatsConnection*>(self)->note_connected(nc);
}

void NatsConnection::disconnected_cb(natsConnection* nc, void* closure) {
  auto* self = static_cast<NatsConnection*>(closure);
  self->epoch_.fetch_add(1);
  self->connected_gauge_.set(0);
  const char* last = nullptr;
  natsConnection_GetLastError(nc, &last);
  {
    std::lock_guard lock(self->mutex_);
    if (last && *last) self->last_error_ = last;
  }
  if (natsConnection_IsClosed(nc)) return;  // the closed callback reports it
  self->set_state(LinkState::kReconnecting);
  self->host_.logf(LogLevel::kWarn, "lost the NATS connection%s%s; reconnecting",
                   last && *last ? ": " : "", last ? last : "");
}

void NatsConnection::closed_cb(natsConnection*, void* closure) {
  auto* self = static_cast<NatsConnection*>(closure);
  self->connected_gauge_.set(0);
  bool redial;
  {
    // Closed by cnats itself before it ever connected (see the header):
    // not final, the redialer takes over.
    std::lock_guard lock(self->mutex_);
    redial = !self->closing_ && !self->ever_connected_;
  }
  if (!redial) self->host_.log(LogLevel::kInfo, "NATS connection closed");
  // Last touch: close() may free this object as soon as it sees the flag,
  // so the flag is set and signalled under the lock and nothing follows.
  std::lock_guard lock(self->mutex_);
  self->closed_seen_ = true;
  redial = redial && !self->closing_;
  self->redial_wanted_ = redial;
  self->state_.store(redial ? LinkState::kConnecting : LinkState::kClosed);
  self->changed_.notify_all();
}

void NatsConnection::error_cb(natsConnection* nc, natsSubscription* sub, natsStatus err,
                              void* closure) {
  auto* self = static_cast<NatsConnection*>(closure);
  (void)nc;
  if (err == NATS_SLOW_CONSUMER) {
    if (self->on_slow_consumer) self->on_slow_consumer(sub);
    return;
  }
  self->host_.logf(LogLevel::kWarn, "NATS error: %s", natsStatus_GetText(err));
}

int64_t NatsConnection::reconnect_delay_cb(natsConnection* nc, int attempts, void* closure) {
  auto* self = static_cast<NatsConnection*>(closure);
  (void)nc;
  self->attempts_.store(attempts);
  return self->backoff_ms(attempts);
}

int64_t NatsConnection::backoff_ms(int attempts) const {
  const auto& s = settings_;
  thread_local common::Backoff backoff;  // cnats calls this from its own thread
  return backoff.after(s.reconnect.backoff(), attempts).count();
}

}  // namespace sluice::nats
