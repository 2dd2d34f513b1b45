// The one thread that owns every hiredis connection of a connector: a
// command link (publishes, acks, claims), a pub/sub link, a blocking link
// for XREADGROUP and one per consumed list. Worker threads never call
// hiredis: publishes and acks reach this thread through queues and an
// eventfd wake-up. It emits what the consumers read, applies
// backpressure (stops reading while sluice has no room), and reconnects
// everything with backoff and jitter when any link is lost. With
// `cluster`, keyed commands go through a ClusterRouter (a link per master)
// and streams and lists through ClusterConsumers; pub/sub and PUBLISH use
// one master.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <sluice/common/backoff.hpp>
#include <sluice/out_batch.hpp>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cluster_consumers.hpp"
#include "cluster_router.hpp"
#include "delivery.hpp"
#include "list_consumer.hpp"
#include "redis_link.hpp"
#include "redis_metrics.hpp"
#include "redis_settings.hpp"
#include "request_envelope.hpp"
#include "sentinel.hpp"
#include "stream_consumer.hpp"

namespace sluice::redis {

class IoLoop {
 public:
  using Clock = std::chrono::steady_clock;

  struct Outgoing {
    // kKv: `args` are a sluice.kv command, completed with kv_reply().
    enum class Kind { kCommand, kRequest, kKv } kind = Kind::kCommand;
    std::vector<std::string> args;  // kCommand
    std::string channel;            // kRequest: where it goes
    Envelope request;               // kRequest: id and reply_to filled by the loop
    Completion completion;
    Clock::time_point deadline;
  };

  IoLoop(Host host, const RedisSettings& settings, RedisMetrics& metrics);
  ~IoLoop();
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  void start();
  void stop_consuming();
  // Waits up to `timeout` for queued publishes and acks, then stops the
  // thread and fails what is left.
  void shutdown(std::chrono::milliseconds timeout);

  // Any thread. kBusy when max_pending_commands are pending.
  Status send(Outgoing&& out, std::string& error);
  // Any thread.
  void ack(uint64_t ack_id, Outcome outcome);

  size_t pending() const { return pending_.load(); }
  Health health() const;

 private:
  struct AckCommand {
    uint64_t ack_id;
    Outcome outcome;
  };

  void run();
  bool connect_all(std::string& error);
  void disconnect_all(const std::string& why);
  // Serves the links until one is lost or the loop stops; the reason.
  std::string serve();
  void take_outbox(Clock::time_point now);
  void take_acks(Clock::time_point now);
  void emit_ready();
  void on_push(redisReply* reply);
  void send_command(Outgoing& out, Clock::time_point now);
  void send_request(Outgoing& out, Clock::time_point now);
  void on_reply(const std::string& payload);
  void expire_requests(Clock::time_point now);
  void fail_queued_expired(Clock::time_point now);
  void set_state(bool up, std::string why);
  void publish_problems();
  std::string state_text_copy() const;
  void wake();
  void collect_links(std::vector<RedisLink*>& out);

  Host host_;
  RedisSettings settings_;
  RedisMetrics& metrics_;
  LinkOptions link_options_;
  SentinelResolver sentinel_;
  RedisEndpoint current_;    // the server connected to (the master, with Sentinel)
  std::string master_addr_;  // the last master Sentinel named
  bool reconnect_ = false;   // a reply said this server cannot serve us (READONLY)
  common::BackoffPolicy backoff_policy_;
  common::Backoff backoff_;

  RedisLink cmd_;
  RedisLink sub_;
  RedisLink stream_block_;
  std::vector<std::unique_ptr<RedisLink>> list_links_;
  ReadyQueue ready_;
  OutBatch emitting_;  // the front of ready_, as handed to the host
  StreamConsumer streams_;
  ListConsumer lists_;
  ClusterRouter cluster_;
  ClusterStreams cluster_streams_;
  ClusterLists cluster_lists_;

  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> consuming_{true};
  std::atomic<bool> polling_{false};
  std::atomic<size_t> pending_{0};
  std::atomic<size_t> acks_waiting_{0};  // acks queued or not yet confirmed by Redis

  std::mutex mutex_;
  std::deque<Outgoing> outbox_;
  std::vector<AckCommand> acks_;
  Clock::time_point acks_collected_{};

  // Requests this connector sent, awaiting their reply on reply_channel_.
  struct PendingRequest {
    std::shared_ptr<Completion> completion;
    Clock::time_point deadline;
  };
  std::string reply_channel_;
  bool reply_subscribed_ = false;
  uint64_t next_request_id_ = 1;
  std::unordered_map<std::string, PendingRequest> requests_;
  std::unordered_set<std::string> request_channels_;

  bool ever_up_ = false;
  uint64_t connections_ = 0;
  mutable std::mutex state_mutex_;
  bool up_ = false;
  std::string state_text_ = "connecting";
  std::string problem_text_;  // a stream or list error (NOGROUP, WRONGTYPE, ...)
  std::string last_problem_;  // I/O thread's copy, to publish only changes
};

}  // namespace sluice::redis
