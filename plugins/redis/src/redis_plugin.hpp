// The Redis connector: pub/sub (SUBSCRIBE/PSUBSCRIBE), streams in a
// consumer group (XREADGROUP, XACK on the host's ack, XPENDING/XCLAIM
// recovery, dead-letter stream), lists as reliable queues (LMOVE/BLMOVE with
// a processing list) or BRPOP, and a sink that PUBLISHes, XADDs, LPUSHes,
// RPUSHes, SETs or HSETs each message, pipelined, and request/reply over
// pub/sub in a JSON envelope (request_envelope.hpp). One I/O thread owns the
// hiredis connections (IoLoop); the host's threads only queue work.
#pragma once

#include <atomic>
#include <memory>
#include <sluice/plugin.hpp>
#include <string>
#include <vector>

#include "io_loop.hpp"
#include "redis_metrics.hpp"
#include "redis_settings.hpp"
#include "request_envelope.hpp"
#include "sink_command.hpp"

namespace sluice::redis {

class RedisPlugin : public Plugin {
 public:
  // Redis channels are globbed (`*` spans dots), which none of the ABI's
  // syntaxes is: the subscriptions come from `channels`/`patterns`, and a
  // route's `from` is read by the host's guess (README: Subjects).
  static constexpr uint32_t subject_syntax = SLUICE_SUBJECT_SYNTAX_GLOB;

  RedisPlugin(Host host, const RedisSettings& settings);
  ~RedisPlugin() override;

  static void validate(const RedisSettings& settings, std::vector<std::string>& errors) {
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
  Status enqueue(IoLoop::Outgoing&& out, int64_t timeout_ms, Completion& completion,
                 std::string& error);

  RedisSettings settings_;
  RedisMetrics metrics_;
  std::unique_ptr<IoLoop> loop_;
  std::atomic<bool> started_{false};
  bool stopped_ = false;
  size_t patterns_ = 0;
};

}  // namespace sluice::redis
