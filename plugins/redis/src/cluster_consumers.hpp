// Streams or lists read from a Redis Cluster. Each key lives on the master
// of its slot, so each stream (or list) gets its own consumer, whose ack
// sequences carry the key's index as their tag, and its own blocking link to
// that master. Its other commands (group creation, XACK, XPENDING/XCLAIM,
// LRANGE/LREM of a processing list) go over the router's link to the same
// master. When a key's slot moves (a MOVED anywhere), the loop reconnects
// and every key is bound to its new master. The consumers, and what they
// track, outlive the reconnect, as they do on a single server.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <sluice/plugin.hpp>
#include <string>
#include <vector>

#include "cluster_router.hpp"
#include "list_consumer.hpp"
#include "stream_consumer.hpp"

namespace sluice::redis {

template <class Consumer>
class ClusterConsumers {
 public:
  using Clock = std::chrono::steady_clock;

  // One consumer per name in `names` (none without `cluster`); `kind` names
  // them in messages ("stream", "list").
  ClusterConsumers(Host host, const RedisSettings& settings, RedisMetrics& metrics,
                   ReadyQueue& ready, const std::vector<std::string>& names, std::string kind)
      : kind_(std::move(kind)) {
    if (!settings.cluster) return;
    for (size_t i = 0; i < names.size(); ++i) {
      Bound b;
      b.name = names[i];
      b.consumer = std::make_unique<Consumer>(host, settings, metrics, ready,
                                              std::vector<std::string>{b.name}, i);
      b.block = std::make_unique<RedisLink>();
      bound_.push_back(std::move(b));
    }
  }

  bool enabled() const { return !bound_.empty(); }

  // Binds each key to its master and connects its blocking link.
  bool connect(ClusterRouter& router, const LinkOptions& options, std::string& error) {
    for (auto& b : bound_) {
      b.node = router.owner_of_key(b.name);
      if (b.node.empty()) {
        error = "no master serves " + kind_ + " '" + b.name + "'";
        return false;
      }
      RedisEndpoint ep = router.endpoint_of(b.node, error);
      if (!error.empty() || !b.block->connect(ep, options, error)) return false;
      b.block->set_error_observer([&router](redisReply* r) { router.observe(r); });
    }
    return true;
  }

  void on_connected(ClusterRouter& router, Clock::time_point now) {
    for (auto& b : bound_)
      if (RedisLink* cmd = command_link(router, b)) b.consumer->on_connected(*cmd, now);
  }

  void poll(ClusterRouter& router, Clock::time_point now, bool consuming) {
    for (auto& b : bound_)
      if (RedisLink* cmd = command_link(router, b))
        poll_one(*b.consumer, *cmd, *b.block, now, consuming);
  }

  void ack(uint64_t seq, Outcome outcome) {
    uint64_t index = seq_tag_of(seq);
    if (index < bound_.size()) bound_[index].consumer->ack(seq, outcome);
  }

  void flush_acks(ClusterRouter& router, Clock::time_point now) {
    for (auto& b : bound_) {
      if (!b.consumer->acks_pending()) continue;
      if (RedisLink* cmd = command_link(router, b)) b.consumer->flush_acks(*cmd, now);
    }
  }

  void on_disconnected() {
    for (auto& b : bound_) {
      b.consumer->on_disconnected();  // first: late replies of the old links do nothing
      b.block->close();
    }
  }

  // Why the keys must be bound again (one's slot moved), or "".
  std::string moved(const ClusterRouter& router) const {
    for (const auto& b : bound_) {
      const std::string& owner = router.owner_of_key(b.name);
      if (!owner.empty() && owner != b.node)
        return kind_ + " '" + b.name + "' moved from " + b.node + " to " + owner +
               " (MOVED); binding the " + kind_ + "s again";
    }
    return "";
  }

  void links(std::vector<RedisLink*>& out) {
    for (auto& b : bound_) out.push_back(b.block.get());
  }

  size_t in_flight() const {
    size_t n = 0;
    for (const auto& b : bound_) n += b.consumer->in_flight();
    return n;
  }

  bool acks_pending() const {
    return std::any_of(bound_.begin(), bound_.end(),
                       [](const Bound& b) { return b.consumer->acks_pending(); });
  }

  Clock::time_point next_wakeup() const {
    auto next = Clock::time_point::max();
    if constexpr (requires(const Consumer& c) { c.next_wakeup(); })
      for (const auto& b : bound_) next = std::min(next, b.consumer->next_wakeup());
    return next;
  }

  std::string problem() const {
    std::string out;
    for (const auto& b : bound_)
      if (std::string p = b.consumer->problem(); !p.empty()) out += (out.empty() ? "" : "; ") + p;
    return out;
  }

 private:
  struct Bound {
    std::string name;
    std::string node;  // "host:port" of the master it was bound to
    std::unique_ptr<Consumer> consumer;
    std::unique_ptr<RedisLink> block;
  };

  static RedisLink* command_link(ClusterRouter& router, const Bound& b) {
    std::string error;
    return router.link_for(b.node, error);
  }
  static void poll_one(StreamConsumer& c, RedisLink& cmd, RedisLink& block, Clock::time_point now,
                       bool consuming) {
    c.poll(cmd, block, now, consuming);
  }
  static void poll_one(ListConsumer& c, RedisLink&, RedisLink& block, Clock::time_point now,
                       bool consuming) {
    c.poll(0, block, now, consuming);
  }

  std::string kind_;
  std::vector<Bound> bound_;
};

using ClusterStreams = ClusterConsumers<StreamConsumer>;
using ClusterLists = ClusterConsumers<ListConsumer>;

}  // namespace sluice::redis
