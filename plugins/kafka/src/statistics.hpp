// The few facts sluice reads from librdkafka's statistics JSON
// (statistics.interval.ms): broker reachability and round-trip time, queue
// depths, consumer lag and the consumer group's state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::kafka {

struct StatisticsSummary {
  int brokers_up = 0;          // real brokers (not bootstrap placeholders) in state UP
  int brokers_known = 0;       // real brokers known from metadata or configuration
  double rtt_ms = 0;           // mean of the UP brokers' average round-trip times
  int64_t queue_messages = 0;  // producer: messages waiting for delivery (msg_cnt)
  int64_t queue_bytes = 0;     // producer: their size (msg_size)
  int64_t consumer_lag_sum = 0;
  int64_t consumer_lag_max = 0;
  int64_t fetch_queue_messages = 0;        // consumer: pre-fetched, not yet polled
  std::optional<std::string> group_state;  // consumer: cgrp.state ("up" when joined)
  std::string group_join_state;            // consumer: cgrp.join_state
};

// Parses one statistics document; nothing when it is not valid JSON.
std::optional<StatisticsSummary> parse_statistics(std::string_view json);

}  // namespace sluice::kafka
