// The MQTT plugin's metrics, registered once per connector (names become
// sluice_mqtt_<name>{connector="..."}).
#pragma once

#include <array>
#include <sluice/plugin.hpp>

namespace sluice::mqtt {

struct PluginMetrics {
  explicit PluginMetrics(const Host& host)
      : received{host.counter("received_qos0_total", "QoS 0 messages emitted into sluice"),
                 host.counter("received_qos1_total", "QoS 1 messages emitted into sluice"),
                 host.counter("received_qos2_total", "QoS 2 messages emitted into sluice")},
        published{host.counter("published_qos0_total", "QoS 0 publishes written"),
                  host.counter("published_qos1_total", "QoS 1 publishes acknowledged (PUBACK)"),
                  host.counter("published_qos2_total", "QoS 2 publishes completed (PUBCOMP)")},
        publish_failed(host.counter("publish_failed_total", "publishes that failed or timed out")),
        ack_seconds(host.counter("publish_ack_seconds_total",
                                 "sum of the PUBACK/PUBCOMP latencies of QoS 1/2 publishes "
                                 "(divide by published_qos1+2 for the mean)")),
        deferred(host.counter("deferred_total",
                              "deliveries sluice could not take within accept_wait_ms "
                              "(paho keeps them and offers them again)")),
        dropped_oversized(host.counter("dropped_oversized_total",
                                       "incoming messages over max_payload_bytes (dead-lettered "
                                       "when dead_letter_topic is set)")),
        dropped_rejected(host.counter("dropped_rejected_total",
                                      "incoming messages sluice refused as malformed")),
        dropped_at_stop(host.counter("dropped_at_stop_total",
                                     "incoming messages paho held when sluice stopped")),
        dropped_offline(host.counter("dropped_offline_total",
                                     "publishes dropped from the full offline buffer")),
        buffered(host.gauge("buffered", "publishes held while disconnected")),
        in_flight(host.gauge("in_flight", "publishes awaiting PUBACK/PUBCOMP")),
        reconnects(host.counter("reconnects_total", "connections re-established")),
        subscriptions_active(
            host.gauge("subscriptions_active", "subscriptions the broker granted")),
        connected(host.gauge("connected", "1 while connected to the broker")),
        requests_ok(host.counter("requests_ok_total", "requests answered")),
        requests_timeout(
            host.counter("requests_timeout_total", "requests without a reply in time")),
        replies_unmatched(host.counter("replies_unmatched_total",
                                       "replies with an unknown or late correlation id")) {}

  std::array<Metric, 3> received;
  std::array<Metric, 3> published;
  Metric publish_failed;
  Metric ack_seconds;
  Metric deferred;
  Metric dropped_oversized;
  Metric dropped_rejected;
  Metric dropped_at_stop;
  Metric dropped_offline;
  Metric buffered;
  Metric in_flight;
  Metric reconnects;
  Metric subscriptions_active;
  Metric connected;
  Metric requests_ok;
  Metric requests_timeout;
  Metric replies_unmatched;
};

}  // namespace sluice::mqtt
