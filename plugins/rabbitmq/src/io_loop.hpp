// The one thread that owns the rabbitmq-c connection. Worker threads never
// call the library: publishes, replies, requests and acks reach this thread
// through a bounded queue and an eventfd wake-up; it sends them, reads
// frames (deliveries, confirms, returns, replies, connection.blocked,
// channel and connection closes), emits deliveries into the host, and
// reconnects with backoff when the connection is lost.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <sluice/common/backoff.hpp>
#include <sluice/out_batch.hpp>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ack_coalescer.hpp"
#include "amqp_link.hpp"
#include "message_mapping.hpp"
#include "rabbitmq_metrics.hpp"
#include "rabbitmq_settings.hpp"

namespace sluice::rabbitmq {

// ack ids handed to the host: the connection's generation in the high bits,
// the delivery tag in the low ones, so that an ack for a delivery of an old
// channel is recognised and dropped instead of acking another message.
inline constexpr int kTagBits = 40;
inline uint64_t make_ack_id(uint64_t generation, uint64_t tag) {
  return (generation << kTagBits) | (tag & ((uint64_t{1} << kTagBits) - 1));
}
inline uint64_t ack_generation(uint64_t ack_id) { return ack_id >> kTagBits; }
inline uint64_t ack_tag(uint64_t ack_id) { return ack_id & ((uint64_t{1} << kTagBits) - 1); }

// The reply handle of a request received over AMQP: reply-to queue and
// correlation id in one string (the host passes it back to reply()).
std::string make_reply_handle(std::string_view reply_to, std::string_view correlation_id);
void split_reply_handle(std::string_view handle, std::string& reply_to,
                        std::string& correlation_id);

class IoLoop {
 public:
  using Clock = std::chrono::steady_clock;

  struct Outgoing {
    enum class Kind { kPublish, kReply, kRequest } kind = Kind::kPublish;
    std::string exchange;
    std::string routing_key;
    std::string body;
    OutgoingProperties properties;
    bool mandatory = false;
    Completion completion;
    Clock::time_point deadline;
  };

  IoLoop(Host host, const RabbitSettings& settings, RabbitMetrics& metrics);
  ~IoLoop();
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  void start();
  // No more emits (deliveries not emitted yet are left to the broker).
  void stop_consuming();
  // Waits up to `timeout` for queued and unconfirmed publishes, then stops
  // the thread, fails what is left and closes the connection.
  void shutdown(std::chrono::milliseconds timeout);

  // Any thread. kBusy when max_pending_publishes are pending.
  Status send(Outgoing&& out, std::string& error);
  // Any thread.
  void ack(uint64_t ack_id, Outcome outcome);

  // Publishes queued, awaiting a confirm, and requests awaiting a reply.
  size_t pending() const { return pending_.load(); }
  Health health() const;

 private:
  struct Inbound;  // a message being assembled from frames (inbound_message.hpp)
  // Carries a mandatory publish's sequence number, so that a basic.return
  // (which has no delivery tag) finds the publish it refuses.
  static constexpr const char* kSeqHeader = "x-sluice-publish-seq";
  struct Confirm {
    Completion completion;
    Clock::time_point deadline;
    bool returned = false;
    std::string return_text;
  };
  struct Request {
    Completion completion;
    Clock::time_point deadline;
  };
  struct AckCommand {
    uint64_t ack_id;
    Outcome outcome;
  };
  struct Ready {  // a delivery to emit
    std::string body;
    std::string routing_key;
    std::string exchange;
    std::string reply_handle;
    HeaderList headers;
    uint64_t tag = 0;
    int64_t count = 1;
  };

  void run();
  bool connect(const AmqpEndpoint& endpoint, std::string& error);
  // Serves one connection until it is lost or the loop stops; the reason.
  std::string serve();
  void send_acks();
  // Sends the acks collected in acks_to_send_ (coalesced, see AckCoalescer).
  void flush_acks();
  void set_cork(bool on);
  bool send_outgoing(std::string& error);
  bool emit_ready();
  // Reads what is buffered or arrives without waiting; false on connection loss.
  bool read_frames(std::string& error, bool& got_any);
  bool handle_frame(const amqp_frame_t& frame, std::string& error);
  void finish_inbound(amqp_channel_t channel);
  void confirm(uint64_t tag, bool multiple, bool ok);
  void expire(Clock::time_point now);
  void fail_in_flight(const std::string& why);
  void fail_queued_expired(Clock::time_point now);
  void set_state(bool up, std::string why);
  void wake();
  void update_gauges();

  Host host_;
  RabbitSettings settings_;
  RabbitMetrics& metrics_;
  std::vector<AmqpEndpoint> endpoints_;
  OutgoingDefaults defaults_;
  common::BackoffPolicy backoff_policy_;
  common::Backoff backoff_;
  int failed_attempts_ = 0;  // connection attempts since the last success

  AmqpLink link_;
  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> consuming_{true};
  std::atomic<bool> polling_{false};
  std::atomic<size_t> pending_{0};

  // Shared with worker threads.
  std::mutex mutex_;
  std::deque<Outgoing> outbox_;
  std::vector<AckCommand> acks_;

  // I/O thread only.
  uint64_t generation_ = 0;
  uint64_t next_seq_ = 1;
  std::map<uint64_t, Confirm> confirms_;
  std::unordered_map<std::string, Request> requests_;
  uint64_t next_correlation_ = 1;
  std::unordered_map<uint64_t, int64_t> delivery_counts_;  // tag -> count (manual acks)
  AckCoalescer acks_to_send_;  // consume-channel deliveries and their pending acks
  std::deque<Ready> ready_;
  OutBatch emitting_;  // the front of ready_, as handed to the host
  std::map<amqp_channel_t, std::unique_ptr<Inbound>> inbound_;
  bool blocked_ = false;
  bool corked_ = false;  // TCP_CORK set on the socket (see serve())
  Clock::time_point blocked_since_;
  Clock::time_point next_expiry_check_;

  // Health, read from the control thread.
  mutable std::mutex state_mutex_;
  bool up_ = false;
  bool ever_up_ = false;
  std::string state_text_ = "connecting";
  std::string blocked_text_;
};

}  // namespace sluice::rabbitmq
