// The RabbitMQ plugin's metrics, registered once per connector (names
// become sluice_rabbitmq_<name>{connector="..."}).
#pragma once

#include <sluice/plugin.hpp>

namespace sluice::rabbitmq {

struct RabbitMetrics {
  explicit RabbitMetrics(const Host& h)
      : published(h.counter("published_total", "messages published (sent to the broker)")),
        confirmed(h.counter("confirmed_total", "publishes the broker confirmed (basic.ack)")),
        nacked(h.counter("nacked_total", "publishes the broker refused (basic.nack)")),
        returned(h.counter("returned_total", "mandatory publishes no queue took (basic.return)")),
        publish_failed(h.counter("publish_failed_total",
                                 "publishes failed (nack, return, timeout, connection lost)")),
        consumed(h.counter("consumed_total", "deliveries emitted into sluice")),
        acked(h.counter("acked_total", "deliveries acknowledged (basic.ack)")),
        rejected(h.counter("rejected_total", "deliveries negatively acknowledged (basic.nack)")),
        dead_lettered(h.counter("dead_lettered_total",
                                "deliveries nacked without requeue (to the dead-letter exchange)")),
        redelivered(h.counter("redelivered_total", "deliveries flagged redelivered by the broker")),
        stale_acks(h.counter("stale_acks_dropped_total",
                             "acks for deliveries of a closed channel, dropped (the broker "
                             "redelivers those)")),
        reconnects(h.counter("reconnects_total", "connections re-established after a loss")),
        blocked_ms(h.counter("blocked_milliseconds_total",
                             "time the broker blocked publishing (connection.blocked)")),
        requests_ok(h.counter("requests_ok_total", "requests answered")),
        requests_timeout(h.counter("requests_timeout_total", "requests without a reply in time")),
        replies(h.counter("replies_total", "replies sent to requests")),
        in_flight(h.gauge("in_flight_confirms", "publishes sent and awaiting their confirm")),
        queued(h.gauge("queued_publishes", "publishes waiting to be sent")),
        connected(h.gauge("connected", "1 while connected and set up, else 0")) {}

  Metric published;
  Metric confirmed;
  Metric nacked;
  Metric returned;
  Metric publish_failed;
  Metric consumed;
  Metric acked;
  Metric rejected;
  Metric dead_lettered;
  Metric redelivered;
  Metric stale_acks;
  Metric reconnects;
  Metric blocked_ms;
  Metric requests_ok;
  Metric requests_timeout;
  Metric replies;
  Metric in_flight;
  Metric queued;
  Metric connected;
};

}  // namespace sluice::rabbitmq
