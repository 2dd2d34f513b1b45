// The Redis plugin's metrics, registered once per connector (names become
// sluice_redis_<name>{connector="..."}). The ABI has counters and gauges
// only: command latency is a set of cumulative `_le_` bucket counters.
#pragma once

#include <array>
#include <chrono>
#include <sluice/plugin.hpp>
#include <string_view>

namespace sluice::redis {

struct RedisMetrics {
  static constexpr std::array<int64_t, 6> kLatencyBucketsUs = {100, 250, 500, 1000, 5000, 25000};

  explicit RedisMetrics(const Host& h)
      : commands(h.counter("commands_sent_total", "commands sent to Redis")),
        replies(h.counter("replies_total", "replies received")),
        errors_wrongtype(h.counter("errors_wrongtype_total", "WRONGTYPE error replies")),
        errors_nogroup(h.counter("errors_nogroup_total", "NOGROUP error replies")),
        errors_oom(h.counter("errors_oom_total", "OOM error replies")),
        errors_other(h.counter("errors_other_total", "other error replies (ERR, ...)")),
        published(h.counter("published_total", "publishes Redis confirmed (its reply)")),
        publish_failed(h.counter("publish_failed_total",
                                 "publishes failed (error reply, timeout, connection lost)")),
        pubsub_received(h.counter("pubsub_received_total", "pub/sub messages received")),
        pubsub_dropped(
            h.counter("pubsub_dropped_total", "pub/sub messages dropped (sluice stopping)")),
        stream_received(h.counter("stream_entries_received_total", "stream entries read")),
        list_received(h.counter("list_items_received_total", "list items taken")),
        acked(h.counter("acked_total", "stream entries XACKed / list items LREMoved")),
        nacked(h.counter("nacked_total", "entries left pending / list items put back")),
        claimed(h.counter("pending_claimed_total", "pending entries claimed (XCLAIM)")),
        dead_lettered(h.counter("dead_lettered_total", "entries moved to the dead-letter stream")),
        reconnects(h.counter("reconnects_total", "connections re-established after a loss")),
        failovers(h.counter("failovers_followed_total",
                            "reconnects that found a new master through Sentinel")),
        redirects(h.counter("cluster_redirects_total",
                            "Redis Cluster MOVED/ASK replies followed to another node")),
        requests_received(h.counter("requests_received_total", "requests received")),
        requests_malformed(h.counter("requests_malformed_total",
                                     "messages on a request channel that are no request envelope "
                                     "(dropped)")),
        requests_sent(h.counter("requests_sent_total", "requests published")),
        requests_answered(h.counter("requests_answered_total", "requests that got their reply")),
        requests_failed(h.counter("requests_failed_total",
                                  "requests without a reply in time, or nobody subscribed")),
        latency_sum_us(h.counter("command_latency_us_sum_total",
                                 "sum of command round trips in microseconds")),
        in_flight(h.gauge("in_flight_entries", "stream/list entries emitted, not yet acked")),
        buffered(h.gauge("buffered_messages", "messages read, waiting for room in sluice")),
        connected(h.gauge("connected", "1 while connected and set up, else 0")) {
    const char* names[] = {"command_latency_le_100us_total", "command_latency_le_250us_total",
                           "command_latency_le_500us_total", "command_latency_le_1ms_total",
                           "command_latency_le_5ms_total",   "command_latency_le_25ms_total"};
    for (size_t i = 0; i < kLatencyBucketsUs.size(); ++i)
      latency_le[i] = h.counter(names[i], "command round trips at most this long (cumulative)");
  }

  void observe_latency(std::chrono::nanoseconds d) const {
    int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    replies.add();
    latency_sum_us.add(static_cast<double>(us));
    for (size_t i = 0; i < kLatencyBucketsUs.size(); ++i)
      if (us <= kLatencyBucketsUs[i]) latency_le[i].add();
  }

  void count_error(std::string_view kind) const {
    if (kind == "WRONGTYPE")
      errors_wrongtype.add();
    else if (kind == "NOGROUP")
      errors_nogroup.add();
    else if (kind == "OOM")
      errors_oom.add();
    else
      errors_other.add();
  }

  Metric commands, replies, errors_wrongtype, errors_nogroup, errors_oom, errors_other;
  Metric published, publish_failed, pubsub_received, pubsub_dropped;
  Metric stream_received, list_received, acked, nacked, claimed, dead_lettered, reconnects;
  Metric failovers, redirects;
  Metric requests_received, requests_malformed, requests_sent, requests_answered, requests_failed;
  Metric latency_sum_us;
  std::array<Metric, kLatencyBucketsUs.size()> latency_le;
  Metric in_flight, buffered, connected;
};

}  // namespace sluice::redis
