// Streams read from a Redis Cluster: each stream lives on the master of its
// key's slot, so each gets its own StreamConsumer (its ack sequences tagged
// with the stream's index) and its own blocking link to that master; its
// group commands and XACKs go over the router's link to the same master.
// When a stream's slot moves (a MOVED anywhere), the loop reconnects and
// every stream is bound to its new master; the consumers, and what they
// track, outlive the reconnect, as on a single server.
#pragma once

#include <chrono>
#include <memory>
#include <sluice/plugin.hpp>
#include <string>
#include <vector>

#include "cluster_router.hpp"
#include "stream_consumer.hpp"

namespace sluice::redis {

class ClusterStreams {
 public:
  using Clock = std::chrono::steady_clock;

  ClusterStreams(Host host, const RedisSettings& settings, RedisMetrics& metrics,
                 ReadyQueue& ready);

  bool enabled() const { return !streams_.empty(); }
  // Binds each stream to its master and connects its blocking link.
  bool connect(ClusterRouter& router, const LinkOptions& options, std::string& error);
  void on_connected(ClusterRouter& router, Clock::time_point now);
  void poll(ClusterRouter& router, Clock::time_point now, bool consuming);
  void ack(uint64_t seq, Outcome outcome);
  void flush_acks(ClusterRouter& router, Clock::time_point now);
  void on_disconnected();

  // Why the streams must be bound again (a stream's slot moved), or "".
  std::string moved(const ClusterRouter& router) const;
  void links(std::vector<RedisLink*>& out);
  size_t in_flight() const;
  bool acks_pending() const;
  Clock::time_point next_wakeup() const;
  std::string problem() const;

 private:
  struct Stream {
    std::string name;
    std::string node;  // "host:port" of the master it was bound to
    std::unique_ptr<StreamConsumer> consumer;
    std::unique_ptr<RedisLink> block;
  };
  RedisLink* command_link(ClusterRouter& router, const Stream& s);

  std::vector<Stream> streams_;
};

}  // namespace sluice::redis
