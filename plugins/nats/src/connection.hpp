// One cnats connection with its state as the plugin reports it: connect
// with retries in the background, reconnect with exponential backoff and
// jitter, and track connected / reconnecting / closed for health and metrics.
//
// cnats 3.4.1 closes a connection for good when its first connect reached
// the server but the handshake failed (TLS, authorization): _connect()
// forgets the current server, so the reconnect thread finds "no server
// available" (fixed upstream in 3.12, nats.c 77843e72). Until the first
// connection succeeds, a connection cnats closed on its own is therefore
// dialled again here, after the usual backoff.
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>

#include "nats_settings.hpp"

namespace sluice::nats {

enum class LinkState { kConnecting, kConnected, kReconnecting, kClosed };

const char* link_state_name(LinkState state);

class NatsConnection {
 public:
  NatsConnection(const Host& host, const NatsSettings& settings);
  ~NatsConnection();
  NatsConnection(const NatsConnection&) = delete;
  NatsConnection& operator=(const NatsConnection&) = delete;

  // Starts connecting. Returns false (with `error`) only for problems that
  // retrying cannot fix (bad options, unreadable credentials); an
  // unreachable server is retried in the background.
  bool open(std::string& error);
  // Closes the connection and waits (bounded) until cnats reported it closed.
  void close();

  natsConnection* get() const { return nc_.load(); }
  LinkState state() const { return state_.load(); }
  // Bumped on every disconnect: a publish made in an earlier epoch may have
  // been lost with the old socket.
  uint64_t epoch() const { return epoch_.load(); }
  // Blocks until connected or `timeout_ms` passed; true if connected.
  bool wait_connected(int64_t timeout_ms);
  // Called (from a cnats thread) after every (re)connect.
  void on_connected(std::function<void()> fn) { connected_hooks_ = std::move(fn); }
  // Called on every (re)connect before the state turns connected, with the
  // connection that is up: the place for subscriptions publishes rely on.
  void on_link_up(std::function<void(natsConnection*)> fn) { link_up_hook_ = std::move(fn); }
  // A description of the current state for health().
  std::string describe() const;

  // Called by cnats when a subscription dropped messages (slow consumer).
  std::function<void(natsSubscription*)> on_slow_consumer;

 private:
  static void connected_cb(natsConnection* nc, void* self);
  static void disconnected_cb(natsConnection* nc, void* self);
  static void reconnected_cb(natsConnection* nc, void* self);
  static void closed_cb(natsConnection* nc, void* self);
  static void error_cb(natsConnection* nc, natsSubscription* sub, natsStatus err, void* self);
  static int64_t reconnect_delay_cb(natsConnection* nc, int attempts, void* self);

  bool build_options(std::string& error);
  int64_t backoff_ms(int attempts) const;
  // Dials again while cnats closed the connection before it ever connected.
  void redial_loop();
  void set_state(LinkState state);
  void note_connected(natsConnection* nc);

  const Host& host_;
  const NatsSettings& settings_;
  natsOptions* opts_ = nullptr;
  std::atomic<natsConnection*> nc_{nullptr};
  // The first connection, once cnats closed it and a redial replaced it:
  // other threads may still hold its pointer, so it lives until close().
  natsConnection* retired_ = nullptr;
  std::thread redialer_;

  std::atomic<LinkState> state_{LinkState::kConnecting};
  std::atomic<uint64_t> epoch_{0};
  std::atomic<int> attempts_{0};
  bool ever_connected_ = false;
  bool closed_seen_ = false;
  bool closing_ = false;        // close() was called
  bool redial_wanted_ = false;  // cnats closed the connection before it connected
  mutable std::mutex mutex_;    // guards the fields below and the flags above
  std::condition_variable changed_;
  std::string server_url_;
  std::string last_error_;
  std::function<void()> connected_hooks_;
  std::function<void(natsConnection*)> link_up_hook_;

  Metric connected_gauge_;
  Metric reconnects_;
};

// "nats: <text of status>" plus cnats' last error detail when there is one.
std::string nats_error(natsStatus s);

}  // namespace sluice::nats
