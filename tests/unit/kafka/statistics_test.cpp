// Reading librdkafka's statistics JSON, and the health it feeds.
#include "statistics.hpp"

#include <gtest/gtest.h>

#include "connector_health.hpp"

namespace sluice::kafka {
namespace {

// Trimmed from a real librdkafka 2.0 statistics document.
constexpr const char* kConsumerStats = R"({
  "name": "sluice#consumer-1", "type": "consumer", "msg_cnt": 0, "msg_size": 0,
  "brokers": {
    "127.0.0.1:40071/bootstrap": {"nodeid": -1, "source": "configured", "state": "INIT",
                                  "rtt": {"avg": 0}},
    "127.0.0.1:40071/1": {"nodeid": 1, "source": "learned", "state": "UP", "rtt": {"avg": 2000}},
    "127.0.0.1:34413/2": {"nodeid": 2, "source": "learned", "state": "UP", "rtt": {"avg": 4000}},
    "127.0.0.1:37977/3": {"nodeid": 3, "source": "learned", "state": "DOWN", "rtt": {"avg": 0}},
    "GroupCoordinator": {"nodeid": -1, "source": "logical", "state": "UP", "rtt": {"avg": 9000}}
  },
  "topics": {
    "orders": {"partitions": {
      "0": {"partition": 0, "consumer_lag": 7, "fetchq_cnt": 3},
      "1": {"partition": 1, "consumer_lag": 12, "fetchq_cnt": 0},
      "2": {"partition": 2, "consumer_lag": -1, "fetchq_cnt": 0},
      "-1": {"partition": -1, "consumer_lag": 99, "fetchq_cnt": 99}
    }}
  },
  "cgrp": {"state": "up", "join_state": "steady", "rebalance_cnt": 1}
})";

TEST(KafkaStatistics, SummarisesBrokersLagAndGroup) {
  auto s = parse_statistics(kConsumerStats);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->brokers_up, 2);
  EXPECT_EQ(s->brokers_known, 4);  // the logical coordinator is not a connection
  EXPECT_DOUBLE_EQ(s->rtt_ms, 3.0);
  EXPECT_EQ(s->consumer_lag_sum, 19);
  EXPECT_EQ(s->consumer_lag_max, 12);
  EXPECT_EQ(s->fetch_queue_messages, 3);
  EXPECT_EQ(s->group_state, "up");
  EXPECT_EQ(s->group_join_state, "steady");
}

TEST(KafkaStatistics, ReadsTheProducerQueue) {
  auto s = parse_statistics(R"({"type": "producer", "msg_cnt": 42, "msg_size": 4200,
                                "brokers": {}, "topics": {}})");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->queue_messages, 42);
  EXPECT_EQ(s->queue_bytes, 4200);
  EXPECT_FALSE(s->group_state);
}

TEST(KafkaStatistics, RefusesWhatIsNotJson) { EXPECT_FALSE(parse_statistics("{nope")); }

using Clock = ConnectorHealth::Clock;

TEST(KafkaHealth, FlipsWhenAllBrokersAreDownAndRecovers) {
  ConnectorHealth h("g", std::chrono::seconds(15));
  EXPECT_TRUE(h.report(Clock::now()).healthy);
  h.brokers_down(ConnectorHealth::Client::kProducer, "3/3 brokers are down");
  auto r = h.report(Clock::now());
  EXPECT_FALSE(r.healthy);
  EXPECT_NE(r.message.find("producer: all brokers are down (3/3 brokers are down)"),
            std::string::npos)
      << r.message;
  h.brokers_reachable(ConnectorHealth::Client::kProducer);
  EXPECT_TRUE(h.report(Clock::now()).healthy);
}

TEST(KafkaHealth, GivesTheGroupTimeToJoinThenComplains) {
  ConnectorHealth h("orders", std::chrono::seconds(15));
  auto t0 = Clock::now();
  h.client_started(ConnectorHealth::Client::kConsumer, true, t0);
  h.group_state("wait-coord", t0);
  EXPECT_TRUE(h.report(t0 + std::chrono::seconds(5)).healthy);
  auto late = h.report(t0 + std::chrono::seconds(16));
  EXPECT_FALSE(late.healthy);
  EXPECT_NE(late.message.find("consumer group 'orders' not joined (state wait-coord)"),
            std::string::npos);
  h.group_state("up", t0);
  EXPECT_TRUE(h.report(t0 + std::chrono::seconds(17)).healthy);
  // Losing the group after joining counts at once.
  h.group_state("query-coord", t0);
  EXPECT_FALSE(h.report(t0 + std::chrono::seconds(18)).healthy);
}

TEST(KafkaHealth, AFatalErrorStays) {
  ConnectorHealth h("g", std::chrono::seconds(15));
  h.fatal(ConnectorHealth::Client::kProducer, "OUT_OF_ORDER_SEQUENCE_NUMBER: boom");
  h.brokers_reachable(ConnectorHealth::Client::kProducer);
  EXPECT_FALSE(h.report(Clock::now()).healthy);
}

}  // namespace
}  // namespace sluice::kafka
