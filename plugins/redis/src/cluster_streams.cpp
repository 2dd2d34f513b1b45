// Streams on a Redis Cluster's masters (see cluster_streams.hpp).
#include "cluster_streams.hpp"

namespace sluice::redis {

ClusterStreams::ClusterStreams(Host host, const RedisSettings& settings, RedisMetrics& metrics,
                               ReadyQueue& ready) {
  if (!settings.cluster) return;
  for (size_t i = 0; i < settings.streams.size(); ++i) {
    Stream s;
    s.name = settings.streams[i];
    s.consumer = std::make_unique<StreamConsumer>(host, settings, metrics, ready,
                                                  std::vector<std::string>{s.name}, i);
    s.block = std::make_unique<RedisLink>();
    streams_.push_back(std::move(s));
  }
}

bool ClusterStreams::connect(ClusterRouter& router, const LinkOptions& options,
                             std::string& error) {
  for (auto& s : streams_) {
    s.node = router.owner_of_key(s.name);
    if (s.node.empty()) {
      error = "no master serves stream '" + s.name + "'";
      return false;
    }
    RedisEndpoint ep = router.endpoint_of(s.node, error);
    if (!error.empty() || !s.block->connect(ep, options, error)) return false;
    s.block->set_error_observer([&router](redisReply* r) { router.observe(r); });
  }
  return true;
}

RedisLink* ClusterStreams::command_link(ClusterRouter& router, const Stream& s) {
  std::string error;
  return router.link_for(s.node, error);
}

void ClusterStreams::on_connected(ClusterRouter& router, Clock::time_point now) {
  for (auto& s : streams_)
    if (RedisLink* cmd = command_link(router, s)) s.consumer->on_connected(*cmd, now);
}

void ClusterStreams::poll(ClusterRouter& router, Clock::time_point now, bool consuming) {
  for (auto& s : streams_)
    if (RedisLink* cmd = command_link(router, s)) s.consumer->poll(*cmd, *s.block, now, consuming);
}

void ClusterStreams::ack(uint64_t seq, Outcome outcome) {
  uint64_t index = StreamConsumer::seq_tag_of(seq);
  if (index < streams_.size()) streams_[index].consumer->ack(seq, outcome);
}

void ClusterStreams::flush_acks(ClusterRouter& router, Clock::time_point now) {
  for (auto& s : streams_) {
    if (!s.consumer->acks_pending()) continue;
    if (RedisLink* cmd = command_link(router, s)) s.consumer->flush_acks(*cmd, now);
  }
}

void ClusterStreams::on_disconnected() {
  for (auto& s : streams_) {
    s.consumer->on_disconnected();
    s.block->close();
  }
}

std::string ClusterStreams::moved(const ClusterRouter& router) const {
  for (const auto& s : streams_) {
    const std::string& owner = router.owner_of_key(s.name);
    if (!owner.empty() && owner != s.node)
      return "stream '" + s.name + "' moved from " + s.node + " to " + owner +
             " (MOVED); binding the streams again";
  }
  return "";
}

void ClusterStreams::links(std::vector<RedisLink*>& out) {
  for (auto& s : streams_) out.push_back(s.block.get());
}

size_t ClusterStreams::in_flight() const {
  size_t n = 0;
  for (const auto& s : streams_) n += s.consumer->in_flight();
  return n;
}

bool ClusterStreams::acks_pending() const {
  for (const auto& s : streams_)
    if (s.consumer->acks_pending()) return true;
  return false;
}

ClusterStreams::Clock::time_point ClusterStreams::next_wakeup() const {
  auto next = Clock::time_point::max();
  for (const auto& s : streams_) next = std::min(next, s.consumer->next_wakeup());
  return next;
}

std::string ClusterStreams::problem() const {
  std::string out;
  for (const auto& s : streams_)
    if (std::string p = s.consumer->problem(); !p.empty()) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace sluice::redis
