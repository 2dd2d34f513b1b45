// Lists consumed as queues on the I/O thread, one blocking link per list.
// Reliable: LMOVE list -> processing list (pipelined while items are there,
// BLMOVE when the list is empty), LREM from the processing list once the
// host acked, LPUSH back to the list's far end (then LREM) on NACK; at the
// first connect whatever the processing list holds (a crash left it there)
// is delivered again. At-most-once: RPOP with a count, BRPOP when empty.
#pragma once

#include <chrono>
#include <sluice/plugin.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "delivery.hpp"
#include "redis_link.hpp"
#include "redis_metrics.hpp"
#include "redis_settings.hpp"

namespace sluice::redis {

class ListConsumer {
 public:
  using Clock = std::chrono::steady_clock;

  // Takes from `names` (settings.lists on a single server; one list per
  // consumer in a cluster); `seq_tag` as for StreamConsumer.
  ListConsumer(Host host, const RedisSettings& settings, RedisMetrics& metrics, ReadyQueue& ready,
               const std::vector<std::string>& names, uint64_t seq_tag = 0);

  size_t lists() const { return lists_.size(); }
  void on_connected(RedisLink& cmd, Clock::time_point now);
  void poll(size_t list, RedisLink& block, Clock::time_point now, bool consuming);
  void ack(uint64_t seq, Outcome outcome);
  void flush_acks(RedisLink& cmd, Clock::time_point now);
  void on_disconnected();
  size_t in_flight() const { return in_flight_.size(); }
  bool acks_pending() const { return !to_send_.empty() || acks_outstanding_ > 0; }
  std::string problem() const { return problem_; }

 private:
  struct List {
    std::string name;
    std::string processing;
    bool reading = false;
    bool recovered = false;
    bool drained = false;  // the last LMOVE batch found the list empty: block next
    Clock::time_point next_read{};
  };
  struct Item {
    size_t list;
    std::string value;
    Outcome outcome = Outcome::kAck;
  };

  size_t room() const;
  void deliver(size_t list, std::string value);
  void set_problem(std::string text);

  Host host_;
  const RedisSettings& settings_;
  RedisMetrics& metrics_;
  ReadyQueue& ready_;
  std::vector<List> lists_;
  bool reliable_;
  uint64_t next_seq_;
  std::unordered_map<uint64_t, Item> in_flight_;
  std::vector<Item> to_send_;
  size_t acks_outstanding_ = 0;
  uint64_t epoch_ = 0;
  std::string problem_;
};

}  // namespace sluice::redis
