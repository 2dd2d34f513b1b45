// The MQTT connector: consumes topic filters (QoS 0/1/2, `+`/`#`, shared
// subscriptions), publishes with a bounded offline buffer, and sends and
// answers MQTT 5 requests (response topic + correlation data), over one
// paho MQTTAsync client kept connected by MqttLink.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <sluice/plugin.hpp>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "message_mapping.hpp"
#include "mqtt_link.hpp"
#include "mqtt_metrics.hpp"
#include "mqtt_settings.hpp"
#include "offline_buffer.hpp"
#include "reply_router.hpp"

namespace sluice::mqtt {

class MqttPlugin : public Plugin {
 public:
  static constexpr uint32_t subject_syntax = SLUICE_SUBJECT_SYNTAX_MQTT;

  MqttPlugin(Host host, const MqttSettings& settings);
  ~MqttPlugin() override;

  static void validate(const MqttSettings& settings, std::vector<std::string>& errors) {
    validate_settings(settings, errors);
  }

  Status subscribe(std::string_view pattern, std::string& error) override;
  Status start(std::string& error) override;
  void stop() override;
  Status publish(const MessageView& message, Completion& completion, std::string& error) override;
  Status request(const MessageView& message, uint32_t timeout_ms, Completion& completion,
                 std::string& error) override;
  Status reply(std::string_view reply_to, const MessageView& message, Completion& completion,
               std::string& error) override;
  Status flush(uint32_t timeout_ms) override;
  Health health() override;

 private:
  using Clock = std::chrono::steady_clock;
  // What paho's publish callbacks get as context: never freed before the
  // callback ran or paho was destroyed.
  struct Slot {
    MqttPlugin* self;
    uint64_t seq;
  };
  struct InFlight {
    Completion completion;  // empty for requests (the router holds theirs) and fire-and-forget
    Clock::time_point start;
    Clock::time_point deadline;
    int qos;
    std::string request_id;
  };

  int on_message(char* topic, int topic_len, MQTTAsync_message* message);
  void on_reply(std::string_view topic, MQTTAsync_message* message);
  void dead_letter(std::string_view topic, const MQTTAsync_message& message, const char* reason);
  void on_connected();
  void flush_buffer();
  // Builds the publish of `message` to its subject (or `topic`).
  Status outgoing(const MessageView& message, PendingPublish& p, std::string& error) const;
  // Sends now, or buffers while disconnected. Takes p.completion on kOk.
  Status send(PendingPublish& p, std::string& error, const std::string& request_id = {});
  // Hands `p` to paho; kBusy/kClosed-like results leave `p` untouched.
  enum class Sent { kSent, kDisconnected, kFull, kFailed };
  // `reserved`: the caller already counted it in acked_in_flight_.
  Sent send_now(PendingPublish& p, const std::string& request_id, std::string& error,
                bool reserved = false);
  // Sends what waits in window_ while the broker's Receive Maximum allows.
  void pump_window();
  void published(Slot* slot, bool ok, std::string error);
  void sweep();
  void fail_request(const std::string& request_id, Status status, const std::string& why);

  static void on_publish_success(void* ctx, MQTTAsync_successData* r);
  static void on_publish_success5(void* ctx, MQTTAsync_successData5* r);
  static void on_publish_failure(void* ctx, MQTTAsync_failureData* r);
  static void on_publish_failure5(void* ctx, MQTTAsync_failureData5* r);

  MqttSettings settings_;
  PluginMetrics metrics_;
  std::unique_ptr<MqttLink> link_;
  ReplyRouter router_;
  std::vector<Subscription> route_subscriptions_;

  std::mutex mutex_;  // in_flight_, slots_, buffer_, next_seq_
  std::unordered_map<uint64_t, InFlight> in_flight_;
  size_t acked_in_flight_ = 0;  // QoS 1/2 entries of in_flight_
  // QoS 1/2 publishes beyond the broker's Receive Maximum, in order.
  std::deque<std::pair<PendingPublish, std::string>> window_;
  std::unordered_set<Slot*> slots_;
  OfflineBuffer buffer_;
  uint64_t next_seq_ = 1;

  std::shared_mutex emit_gate_;  // stop() waits for a delivery in progress
  bool closing_ = false;
  std::unordered_set<MQTTAsync_message*> refused_at_stop_;  // paho's thread only
  uint64_t oversized_logged_ = 0;

  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
  uint64_t sweep_timer_ = 0;
  uint64_t reconnects_reported_ = 0;
};

}  // namespace sluice::mqtt
