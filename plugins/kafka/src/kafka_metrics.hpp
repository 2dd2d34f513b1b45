// The connector's metrics (sluice_kafka_<name>{connector="..."}), registered
// once when the connector is created.
#pragma once

#include <sluice/plugin.hpp>

namespace sluice::kafka {

struct KafkaMetrics {
  explicit KafkaMetrics(const Host& host)
      : consumed(host.counter("consumed_total", "Messages read from Kafka and handed to routes")),
        redelivered(
            host.counter("redelivered_total", "Refused (NACKed) messages read again from Kafka")),
        dead_lettered(
            host.counter("dead_lettered_total", "Refused messages sent to dead_letter_topic")),
        backpressure_pauses(host.counter("backpressure_pauses_total",
                                         "Partitions paused because routes were full")),
        rebalances(host.counter("rebalances_total", "Partition assignments and revocations")),
        late_acks(host.counter("late_acks_ignored_total",
                               "Answers for messages of partitions revoked before they came")),
        produced(host.counter("produced_total", "Messages Kafka confirmed (delivery reports)")),
        produce_errors(host.counter("produce_errors_total",
                                    "Messages Kafka did not take (failed delivery reports)")),
        assigned_partitions(
            host.gauge("assigned_partitions", "Partitions assigned to this member")),
        paused_partitions(host.gauge("paused_partitions", "Partitions paused by backpressure")),
        consumer_lag(host.gauge("consumer_lag", "Sum of the assigned partitions' consumer lag")),
        consumer_lag_max(host.gauge("consumer_lag_max", "Largest consumer lag of one partition")),
        fetch_queue(host.gauge("fetch_queue_messages", "Messages fetched and not yet polled")),
        producer_queue(host.gauge("producer_queue_messages",
                                  "Messages in the producer's queue awaiting delivery")),
        producer_queue_bytes(host.gauge("producer_queue_bytes", "Size of the producer's queue")),
        consumer_rtt(host.gauge("consumer_broker_rtt_ms", "Consumer's mean broker round trip")),
        producer_rtt(host.gauge("producer_broker_rtt_ms", "Producer's mean broker round trip")),
        brokers_up(host.gauge("brokers_up", "Brokers the producer is connected to")) {}

  Metric consumed, redelivered, dead_lettered, backpressure_pauses, rebalances, late_acks;
  Metric produced, produce_errors;
  Metric assigned_partitions, paused_partitions, consumer_lag, consumer_lag_max, fetch_queue;
  Metric producer_queue, producer_queue_bytes, consumer_rtt, producer_rtt, brokers_up;
};

}  // namespace sluice::kafka
