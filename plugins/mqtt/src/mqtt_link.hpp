// One paho MQTTAsync client and the thread that keeps it connected:
// connects (URL list, v3.1.1 or v5, credentials, TLS, will), subscribes and
// reports each refusal with its reason code and the setting to fix, then
// waits for the connection to drop and reconnects with common's backoff and
// jitter (paho's own automatic reconnect has no jitter).
#pragma once

#include <MQTTAsync.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>
#include <vector>

#include "mqtt_settings.hpp"

namespace sluice::mqtt {

enum class LinkState { kConnecting, kConnected, kDisconnected, kClosed };

class MqttLink {
 public:
  // What the link tells its owner. on_message runs on paho's receive thread
  // (one for all MQTTAsync clients of the process) and returns paho's
  // messageArrived result: 1 taken (the owner freed it), 0 offer it again.
  struct Events {
    std::function<int(char* topic, int topic_len, MQTTAsync_message* message)> on_message;
    std::function<void()> on_connected;  // link thread, after the subscriptions
    std::function<void()> on_lost;       // paho's thread
  };

  MqttLink(const Host& host, const MqttSettings& settings, Events events);
  ~MqttLink();
  MqttLink(const MqttLink&) = delete;
  MqttLink& operator=(const MqttLink&) = delete;

  // Creates the paho client; false with `error` if paho refuses the options.
  bool create(std::string& error);
  // Starts the link thread with these filters (and their QoS).
  void start(std::vector<Subscription> subscriptions);
  // Stops reconnecting and disconnects, waiting up to `timeout_ms` for
  // paho to hand over outstanding publishes.
  void close(int64_t timeout_ms);

  MQTTAsync handle() const { return client_; }
  bool v5() const { return settings_.protocol == Protocol::kV5; }
  LinkState state() const { return state_; }
  bool connected() const { return state_ == LinkState::kConnected; }
  // False until the first connection: publishes then wait as busy instead
  // of filling the offline buffer, which is for outages.
  bool ever_connected() const { return ever_connected_; }
  // The broker's Receive Maximum (v5 CONNACK; 65535 if absent or v3.1.1):
  // how many QoS 1/2 publishes it takes unacknowledged. paho 1.3 holds
  // the rest back and sends them only on its send thread's next wake-up
  // (up to a second), so the plugin queues them itself.
  int receive_maximum() const { return receive_maximum_; }
  std::string describe() const;
  size_t subscriptions_active() const { return active_subscriptions_; }
  uint64_t reconnects() const { return reconnects_; }
  // The last connection or subscription problem ("" if none).
  std::string problem() const;

 private:
  struct Result {
    bool done = false;
    bool ok = false;
    int code = 0;  // reason code (v5), CONNACK return code or granted QoS (v3)
    std::string message;
  };

  void run();
  bool connect_once(std::string& error);
  bool subscribe_all();
  // Waits for the result of the paho call whose token is `token`.
  Result wait_result(int token, int64_t timeout_ms);
  void set_problem(std::string problem);

  static void on_connect_success(void* ctx, MQTTAsync_successData* r);
  static void on_connect_success5(void* ctx, MQTTAsync_successData5* r);
  static void on_connect_failure(void* ctx, MQTTAsync_failureData* r);
  static void on_connect_failure5(void* ctx, MQTTAsync_failureData5* r);
  static void on_sub_success(void* ctx, MQTTAsync_successData* r);
  static void on_sub_success5(void* ctx, MQTTAsync_successData5* r);
  static void on_sub_failure(void* ctx, MQTTAsync_failureData* r);
  static void on_sub_failure5(void* ctx, MQTTAsync_failureData5* r);
  static void on_connection_lost(void* ctx, char* cause);
  static int on_message_arrived(void* ctx, char* topic, int len, MQTTAsync_message* m);
  static int on_ssl_error(const char* str, size_t len, void* ctx);
  void finish_connect(Result r);
  void finish_token(int token, Result r);

  Host host_;
  MqttSettings settings_;
  Events events_;
  MQTTAsync client_ = nullptr;
  std::vector<Subscription> subscriptions_;

  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  Result connect_result_;
  std::map<int, Result> results_;  // by token
  std::string ssl_error_;
  std::string problem_;
  bool stopping_ = false;
  bool lost_ = false;
  std::atomic<LinkState> state_{LinkState::kConnecting};
  std::atomic<size_t> active_subscriptions_{0};
  std::atomic<uint64_t> reconnects_{0};
  std::atomic<bool> ever_connected_{false};
  std::atomic<int> receive_maximum_{65535};
  std::string server_;  // the URL last connected to
};

// A reason code's name (v5), e.g. "Bad user name or password (134)".
std::string reason_text(int code);
// A refusing SUBACK code with its hex form, e.g. "Not authorized (135,
// 0x87)"; MQTT 3.1.1's only failure code is "Failure (128, 0x80)".
std::string suback_text(int code, bool v5);
// The setting a refused connection points at.
std::string connect_hint(int code, bool v5);

}  // namespace sluice::mqtt
