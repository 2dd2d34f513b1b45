// A durable JetStream consumer feeding the host at-least-once: messages are
// acked to the server only when the host acks them (after every route's
// output confirmed), NAKed with a delay when it nacks them. Pull mode
// fetches a batch only once the previous one was accepted, so a full
// ingress (BUSY) stops fetching; push mode blocks the delivery thread.
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "callback_gate.hpp"
#include "connection.hpp"
#include "nats_metrics.hpp"
#include "nats_settings.hpp"

namespace sluice::nats {

class JetStreamConsumer {
 public:
  JetStreamConsumer(const Host& host, const NatsSettings& settings, PluginMetrics& metrics,
                    NatsConnection& connection);
  ~JetStreamConsumer();
  JetStreamConsumer(const JetStreamConsumer&) = delete;
  JetStreamConsumer& operator=(const JetStreamConsumer&) = delete;

  // Finds or creates the stream and the durable consumer and binds to it.
  // Needs a connection; false with `error` when it should be retried later.
  bool setup(std::string& error);
  // The stream's subjects (from settings, else from the server after setup).
  const std::vector<std::string>& stream_subjects() const { return subjects_; }
  // Starts fetching (pull) or accepting deliveries (push).
  void start();
  // The host's answer for a message emitted with `ack_id`.
  void ack(uint64_t ack_id, Outcome outcome);
  // Sends the acks and NAKs that could not go out while NATS was
  // disconnected (call after a reconnect).
  void resend_deferred_acks();
  // Stops emitting: after it returns, emit is not called again.
  void stop();
  // NAKs what the host never answered and frees the subscription. Call
  // after the host's last ack and before the connection closes.
  void destroy();

 private:
  bool find_or_create_stream(std::string& error);
  bool find_or_create_consumer(std::string& error);
  bool bind(std::string& error);
  void fetch_loop();
  // Hands `msgs` to the host in emit_batch calls, in order, offering what
  // it has not taken again while it is busy (and keeping those alive on the
  // server with in-progress acks meanwhile). Returns how many it took: the
  // ack table owns those; the caller gives the rest back (stopping).
  size_t emit(const std::vector<natsMsg*>& msgs);
  static void on_push(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* self);
  static void on_sub_complete(void* self);

  const Host& host_;
  const NatsSettings& settings_;
  const JetStreamSettings& js_settings_;
  PluginMetrics& metrics_;
  NatsConnection& connection_;
  jsCtx* js_ = nullptr;
  natsSubscription* sub_ = nullptr;
  std::vector<std::string> subjects_;
  std::string bind_subject_;

  CallbackGate gate_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> sub_done_{false};
  std::thread fetcher_;

  std::mutex acks_mutex_;
  std::unordered_map<uint64_t, natsMsg*> unacked_;
  // Answered by the host while disconnected (cnats keeps no reconnect
  // buffer): sent after the reconnect. At most max_ack_pending of them.
  std::vector<std::pair<natsMsg*, Outcome>> deferred_acks_;
  uint64_t next_ack_id_ = 1;
};

}  // namespace sluice::nats
