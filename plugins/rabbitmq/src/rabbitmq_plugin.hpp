// The RabbitMQ connector: topology from config, consumption with manual
// acks and prefetch, publishing with pipelined publisher confirms and
// mandatory returns, request/reply (reply-to + correlation id, direct
// reply-to for outgoing requests), reconnect with backoff. One I/O thread
// owns the rabbitmq-c connection (IoLoop); the host's threads only queue work.
#pragma once

#include <atomic>
#include <memory>
#include <sluice/plugin.hpp>
#include <string>
#include <vector>

#include "io_loop.hpp"
#include "rabbitmq_metrics.hpp"
#include "rabbitmq_settings.hpp"

namespace sluice::rabbitmq {

class RabbitPlugin : public Plugin {
 public:
  static constexpr uint32_t subject_syntax = SLUICE_SUBJECT_SYNTAX_AMQP;

  RabbitPlugin(Host host, const RabbitSettings& settings);
  ~RabbitPlugin() override;

  static void validate(const RabbitSettings& settings, std::vector<std::string>& errors) {
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
  Status enqueue(IoLoop::Outgoing&& out, const MessageView& message, int64_t timeout_ms,
                 Completion& completion, std::string& error);

  RabbitSettings settings_;
  RabbitMetrics metrics_;
  std::unique_ptr<IoLoop> loop_;
  std::atomic<bool> started_{false};
  bool stopped_ = false;
  size_t patterns_ = 0;
};

}  // namespace sluice::rabbitmq
