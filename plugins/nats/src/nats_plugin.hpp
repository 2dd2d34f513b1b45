// The NATS connector: core pub/sub with queue groups, request/reply,
// JetStream consumption (at-least-once) and JetStream publishing, over one
// cnats connection that reconnects by itself.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>
#include <vector>

#include "connection.hpp"
#include "core_subscriptions.hpp"
#include "flush_confirmer.hpp"
#include "jetstream_consumer.hpp"
#include "message.hpp"
#include "nats_metrics.hpp"
#include "nats_settings.hpp"
#include "publisher.hpp"
#include "reply_router.hpp"

namespace sluice::nats {

class NatsPlugin : public Plugin {
 public:
  static constexpr uint32_t subject_syntax = SLUICE_SUBJECT_SYNTAX_NATS;

  NatsPlugin(Host host, const NatsSettings& settings);
  ~NatsPlugin() override;

  static void validate(const NatsSettings& settings, std::vector<std::string>& errors) {
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
  void ack(uint64_t ack_id, Outcome outcome) override;
  Status flush(uint32_t timeout_ms) override;
  Health health() override;

 private:
  // Waits for the connection, sets up JetStream and the subscriptions
  // (retrying what fails), then marks the connector ready.
  void supervise();
  std::vector<std::string> core_subjects() const;
  void set_problem(std::string problem);
  // Resolves the outgoing subject (message's, else default_subject).
  bool outgoing_subject(const MessageView& message, std::string& subject, std::string& error) const;
  // Core publish of `message` to `subject`, completed per publish_confirm
  // (or as soon as cnats took it when `confirm` is false).
  Status publish_core(const std::string& subject, std::string_view reply,
                      const MessageView& message, Completion& completion, std::string& error,
                      bool confirm = true);
  // Publish (or request) whose answer comes back on the reply inbox.
  Status send_with_reply(ReplyRouter::Kind kind, const std::string& subject,
                         const MessageView& message, int64_t timeout_ms, Completion& completion,
                         std::string& error);
  size_t pending_publishes() const;

  NatsSettings settings_;
  OutgoingHeaders headers_;
  PluginMetrics metrics_;
  std::unique_ptr<NatsConnection> connection_;
  std::unique_ptr<ReplyRouter> router_;
  std::unique_ptr<FlushConfirmer> confirmer_;
  std::unique_ptr<Publisher> publisher_;
  std::unique_ptr<CoreSubscriptions> core_;
  std::unique_ptr<JetStreamConsumer> jetstream_;
  std::vector<std::string> patterns_;  // from subscribe(), node_id expanded

  std::thread supervisor_;
  std::mutex supervisor_mutex_;
  std::condition_variable supervisor_wake_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> ready_{false};
  mutable std::mutex problem_mutex_;
  std::string problem_;
  uint64_t drop_timer_ = 0;
};

}  // namespace sluice::nats
