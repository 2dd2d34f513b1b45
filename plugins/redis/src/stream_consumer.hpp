// Streams read in a consumer group on the I/O thread: XGROUP CREATE
// (MKSTREAM) after each connect, XREADGROUP on the blocking link while
// there is room, XACK once the host acked, nothing on NACK (the entry stays
// pending). Recovery at start and every claim_interval_ms: XPENDING (with
// IDLE) finds entries idle longer than claim_idle_ms (a crashed or nacking
// consumer), XCLAIM takes them over; an entry delivered max_deliveries
// times goes to the dead-letter stream and is XACKed instead. At the first
// connect this consumer's own pending entries are taken back at once.
// XPENDING + XCLAIM rather than XAUTOCLAIM: XAUTOCLAIM does not say how
// often an entry was delivered, which the dead-letter limit needs.
#pragma once

#include <chrono>
#include <sluice/plugin.hpp>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "delivery.hpp"
#include "redis_link.hpp"
#include "redis_metrics.hpp"
#include "redis_settings.hpp"

namespace sluice::redis {

class StreamConsumer {
 public:
  using Clock = std::chrono::steady_clock;

  // Reads `names` (settings.streams on a single server; one stream per
  // consumer in a cluster). `seq_tag` goes into the high bits of every ack
  // sequence, so the loop can tell several consumers' acks apart.
  StreamConsumer(Host host, const RedisSettings& settings, RedisMetrics& metrics, ReadyQueue& ready,
                 const std::vector<std::string>& names, uint64_t seq_tag = 0);

  bool enabled() const { return !streams_.empty(); }
  // After (re)connecting `cmd` and `block`.
  void on_connected(RedisLink& cmd, Clock::time_point now);
  // Starts what can be started: recovery when due, a read when idle.
  void poll(RedisLink& cmd, RedisLink& block, Clock::time_point now, bool consuming);
  // The host's answer (I/O thread).
  void ack(uint64_t seq, Outcome outcome);
  // Sends the collected XACKs.
  void flush_acks(RedisLink& cmd, Clock::time_point now);
  // The connection was lost: nothing outstanding any more.
  void on_disconnected();

  size_t in_flight() const { return in_flight_.size(); }
  bool acks_pending() const { return !to_ack_.empty() || acks_outstanding_ > 0; }
  Clock::time_point next_wakeup() const { return next_recovery_; }
  std::string problem() const { return problem_; }

 private:
  struct Stream {
    std::string name;
    std::string dead_letter;
    std::unordered_set<std::string> tracked;  // ids emitted and not yet XACKed (or nacked)
  };
  struct Entry {
    size_t stream;
    std::string id;
  };
  enum class Pass { kOwn, kIdle };

  size_t room() const;
  Clock::time_point deadline(Clock::time_point now) const;
  // Delivers the entries of one stream from an XREADGROUP/XCLAIM reply.
  void deliver_entries(size_t stream, const redisReply* entries, int64_t deliveries);
  void recover_page(RedisLink& cmd, size_t stream, std::string start);
  void recovery_done();
  void create_groups(RedisLink& cmd, Clock::time_point now);
  void dead_letter(RedisLink& cmd, size_t stream, const std::string& id, int64_t deliveries);
  void set_problem(std::string text);

  Host host_;
  const RedisSettings& settings_;
  RedisMetrics& metrics_;
  ReadyQueue& ready_;
  std::vector<Stream> streams_;

  uint64_t next_seq_ = 1;
  std::unordered_map<uint64_t, Entry> in_flight_;
  std::unordered_map<size_t, std::vector<std::string>> to_ack_;
  size_t acks_outstanding_ = 0;
  bool group_ready_ = false;
  bool creating_ = false;
  bool reading_ = false;
  bool recovering_ = false;
  bool first_connect_ = true;
  Pass pass_ = Pass::kIdle;
  Clock::time_point next_recovery_{};
  Clock::time_point next_read_{};
  uint64_t epoch_ = 0;  // bumped on disconnect: late callbacks of an old link do nothing
  std::string problem_;
};

// An XREADGROUP/XCLAIM entry list as (id, fields); a deleted entry has no
// fields (`gone`).
struct StreamEntry {
  std::string id;
  FieldList fields;
  bool gone = false;
};
std::vector<StreamEntry> parse_entries(const redisReply* entries);

}  // namespace sluice::redis
