// The NATS plugin's metrics, registered once per connector (names become
// sluice_nats_<name>{connector="..."}).
#pragma once

#include <sluice/plugin.hpp>

namespace sluice::nats {

struct PluginMetrics {
  explicit PluginMetrics(const Host& host)
      : received(host.counter("received_total", "messages emitted into sluice")),
        dropped_busy(
            host.counter("dropped_busy_total",
                         "core NATS messages dropped because sluice stayed full (busy_wait_ms)")),
        dropped_slow_consumer(
            host.counter("dropped_slow_consumer_total",
                         "messages the NATS client dropped over its pending limits")),
        published(host.counter("published_total", "publishes and replies confirmed")),
        publish_failed(host.counter("publish_failed_total", "publishes and replies that failed")),
        requests_ok(host.counter("requests_ok_total", "requests answered")),
        requests_failed(
            host.counter("requests_failed_total", "requests failed (e.g. no responders)")),
        requests_timeout(
            host.counter("requests_timeout_total", "requests without a reply in time")),
        js_acked(host.counter("js_acked_total", "JetStream messages acknowledged")),
        js_nacked(host.counter("js_nacked_total", "JetStream messages negatively acknowledged")),
        in_flight(host.gauge("in_flight", "publishes, replies and requests awaiting an answer")),
        held(host.gauge("held",
                        "outgoing messages held while NATS is disconnected (not yet sent)")) {}

  Metric received;
  Metric dropped_busy;
  Metric dropped_slow_consumer;
  Metric published;
  Metric publish_failed;
  Metric requests_ok;
  Metric requests_failed;
  Metric requests_timeout;
  Metric js_acked;
  Metric js_nacked;
  Metric in_flight;
  Metric held;
};

}  // namespace sluice::nats
