// Hands outgoing messages (publishes, JetStream publishes, requests,
// replies) to cnats, or, while NATS is disconnected, holds them in the
// plugin's Outbox and sends them, in order, after the reconnect. A held
// message that could not be sent with a quarter of its timeout left (time
// to be confirmed) is failed and never sent, so the host's retry is the
// only copy that reaches NATS. cnats' own reconnect buffer is
// off (reconnect_buffer_bytes bounds the Outbox instead): cnats refuses a
// publish while it is reconnecting, which tells us exactly which messages
// it did not take.
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>

#include "connection.hpp"
#include "flush_confirmer.hpp"
#include "message.hpp"
#include "nats_metrics.hpp"
#include "outbox.hpp"
#include "reply_router.hpp"

namespace sluice::nats {

class Publisher {
 public:
  using Clock = std::chrono::steady_clock;

  // What completes a message once cnats took it.
  enum class Then {
    kComplete,      // at once (replies, publish_confirm: none)
    kFlushConfirm,  // the FlushConfirmer's PING/PONG round
    kAwaitReply,    // the ReplyRouter: a PubAck or a request's reply
  };

  struct Outgoing {
    NatsMsgPtr msg;
    size_t bytes = 0;  // counted against reconnect_buffer_bytes while held
    Then then = Then::kComplete;
    // The host's completion. kAwaitReply: the ReplyRouter holds it while
    // the message is in cnats; the Publisher takes it back while holding.
    Completion completion;
    Clock::time_point deadline;  // publish_timeout_ms (or the request's) from the call
    // kAwaitReply: the router entry whose inbox is the message's reply subject.
    uint64_t reply_id = 0;
    ReplyRouter::Kind kind = ReplyRouter::Kind::kJetStreamPublish;
    std::string subject;
    int64_t timeout_ms = 0;
  };

  Publisher(NatsConnection& connection, PluginMetrics& metrics, ReplyRouter& router,
            FlushConfirmer* confirmer, size_t max_held_bytes, int64_t publish_timeout_ms);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  void start();
  // Sends `out` or holds it. kOk: the completion is taken. Otherwise
  // `error` says why and out.completion holds the completion again (the
  // caller gives it back to the host).
  Status send(Outgoing& out, std::string& error);
  // Messages held while disconnected.
  size_t held() const;
  // Wakes the sender (after a reconnect).
  void nudge() { wake_.notify_all(); }
  // Fails what is still held (not sent) and stops the sender.
  void stop();

  // What cnats' refusal `s` means for the user.
  std::string describe_error(natsStatus s) const;

 private:
  enum class Attempt { kSent, kDisconnected, kFailed, kRejected };

  // Publishes a message whose completion is with its confirmer (or in
  // `out`); hands the completion on when cnats took it.
  Attempt publish_now(Outgoing& out, std::string& error);
  // Queues `out` (completion in out.completion). False when full.
  bool hold(Outgoing& out);
  void fail_expired(Outgoing& out);
  void run();

  NatsConnection& connection_;
  PluginMetrics& metrics_;
  ReplyRouter& router_;
  FlushConfirmer* confirmer_;
  const int64_t publish_timeout_ms_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  Outbox<Outgoing> outbox_;
  std::atomic<bool> holding_{false};  // the outbox is not empty: new messages queue behind
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace sluice::nats
