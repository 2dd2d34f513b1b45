// The source side: one consumer-group member with one polling thread. It
// hands each message to the host, commits per partition only up to the
// first message that is not done (at-least-once, whatever order answers
// come in), reads refused messages again (or sends them to the dead-letter
// topic), pauses partitions while the host is full, and on a rebalance
// finishes or abandons the revoked partitions' in-flight messages before
// letting them go.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "client_events.hpp"
#include "consumed_message.hpp"
#include "kafka_producer.hpp"
#include "kafka_settings.hpp"
#include "partition_tracker.hpp"

namespace sluice::kafka {

struct ConsumerOptions {
  Properties properties;
  std::vector<std::string> topics;  // names and ^regexes
  std::string dead_letter_topic;    // empty: refused messages are read again
  uint32_t max_poll_batch = 1000;
  std::chrono::milliseconds redelivery_delay{1000};
  std::chrono::milliseconds revoke_timeout{5000};
  std::chrono::milliseconds store_interval{50};
  std::chrono::milliseconds emit_wait{50};  // how long to wait for room before pausing
};

class KafkaConsumer final : public ClientEvents {
 public:
  // `dead_letters` (may be null when no dead_letter_topic) must outlive
  // this consumer's close().
  KafkaConsumer(const Host& host, ConnectorHealth& health, KafkaMetrics& metrics,
                ConsumerOptions options, KafkaProducer* dead_letters);
  ~KafkaConsumer() override;

  // Creates the client, subscribes, and starts the polling thread.
  bool start(std::string& error);
  // No emit after it returns; the thread keeps serving the group.
  void stop();
  // The host's answer for a message. Any thread.
  void ack(uint64_t ack_id, Outcome outcome);
  // Ends the polling thread (first step of destroy).
  void stop_polling();
  // Stores and commits what is done, leaves the group, destroys the client.
  void close();

 private:
  struct Partition {
    Partition(std::string t, int32_t p, uint32_t s) : topic(std::move(t)), id(p), slot(s) {}
    const std::string topic;
    const int32_t id;
    const uint32_t slot;
    PartitionTracker tracker;
    std::atomic<bool> dirty{false};    // commit point moved since last stored
    std::atomic<bool> revoked{false};  // being taken away: acks wake the revoker
    std::atomic<int64_t> seek_not_before_ms{0};
    // Polling thread only.
    struct Held {
      rd_kafka_message_t* message;
      bool to_dead_letter;
    };
    std::deque<Held> backlog;  // read, not yet accepted by the host (backpressure)
    bool paused = false;
    int64_t stored = -1;  // offset last given to rd_kafka_offsets_store
  };
  using PartitionPtr = std::shared_ptr<Partition>;

  void run();
  void handle(rd_kafka_message_t* message);
  void handle_error(const rd_kafka_message_t* message);
  Partition* find_partition(const rd_kafka_message_t* message);
  // Hands a message over (to the host or the dead-letter topic). kOk and
  // kBusy are the interesting answers; anything else was dealt with.
  Status deliver(Partition& p, const Partition::Held& held, uint32_t wait_ms);
  Status emit(Partition& p, const rd_kafka_message_t* m, uint32_t wait_ms);
  // Hands the messages this poll round read to the host in emit_batch
  // calls; what it does not take waits in the partitions' backlogs.
  void flush_pending();
  void skip_rejected(Partition& p, const rd_kafka_message_t* m);
  Status dead_letter(Partition& p, const rd_kafka_message_t* m);
  bool drain_backlogs();
  void pause(Partition& p);
  void resume(Partition& p);
  void pause_all();
  void update_gauges();
  void apply_seeks();
  void store_offsets();
  void drop_backlog(Partition& p);

  static void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void commit_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* offsets, void* opaque);
  void assign(rd_kafka_topic_partition_list_t* partitions, bool cooperative);
  void revoke(rd_kafka_topic_partition_list_t* partitions, bool lost, bool cooperative);
  void revoke_all();
  void on_statistics(const StatisticsSummary& stats) override;

  const ConsumerOptions options_;
  KafkaProducer* const dead_letters_;
  rd_kafka_t* rk_ = nullptr;
  std::thread thread_;
  std::atomic<bool> quit_{false};

  // stop() and the polling thread's emit calls exclude each other, so that
  // no emit can start after stop() returned.
  std::mutex emit_mutex_;
  bool stopping_ = false;
  bool paused_for_stop_ = false;

  // Every assignment gets a new slot; acks find their partition by it.
  std::shared_mutex slots_mutex_;
  std::unordered_map<uint32_t, PartitionPtr> slots_;
  uint32_t next_slot_ = 1;
  std::atomic<int> seeks_wanted_{0};
  std::mutex revoke_mutex_;
  std::condition_variable revoke_cv_;

  // Polling thread only.
  std::map<std::pair<std::string, int32_t>, PartitionPtr> assigned_;
  struct CacheKey {
    const rd_kafka_topic_t* topic;
    int32_t partition;
    bool operator==(const CacheKey&) const = default;
  };
  struct CacheKeyHash {
    size_t operator()(const CacheKey& k) const {
      return std::hash<const void*>()(k.topic) ^ (static_cast<size_t>(k.partition) * 0x9e3779b9u);
    }
  };
  std::unordered_map<CacheKey, Partition*, CacheKeyHash> lookup_cache_;
  std::set<Partition*> backlogged_;
  std::chrono::steady_clock::time_point next_store_{};
  // Read in this poll round, not yet handed over (flush_pending).
  struct Pending {
    Partition* partition;
    rd_kafka_message_t* message;
  };
  std::vector<Pending> pending_;
  std::vector<ConsumedMessage> views_;
  std::vector<sluice_message> batch_;
  std::vector<uint64_t> ids_;
  ConsumedMessage single_;  // emit() of one message (backlogs)
  std::vector<std::string> dead_letter_strings_;
};

}  // namespace sluice::kafka
