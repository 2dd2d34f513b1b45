// What the consumer and the producer share: librdkafka's log, error and
// statistics callbacks, turned into host log lines, health and metrics.
// Each client derives from it; the rd_kafka_t's opaque points at it.
#pragma once

#include <librdkafka/rdkafka.h>

#include <sluice/plugin.hpp>

#include "connector_health.hpp"
#include "kafka_metrics.hpp"
#include "statistics.hpp"

namespace sluice::kafka {

class ClientEvents {
 public:
  ClientEvents(const Host& host, ConnectorHealth& health, ConnectorHealth::Client client,
               KafkaMetrics& metrics)
      : host_(host), health_(health), client_(client), metrics_(metrics) {}
  virtual ~ClientEvents() = default;
  ClientEvents(const ClientEvents&) = delete;
  ClientEvents& operator=(const ClientEvents&) = delete;

 protected:
  // Points the conf's opaque at this object and registers the callbacks.
  void install_callbacks(rd_kafka_conf_t* conf);
  static ClientEvents* from_opaque(void* opaque) { return static_cast<ClientEvents*>(opaque); }

  // Called with each statistics document, after health was updated.
  virtual void on_statistics(const StatisticsSummary& stats) = 0;

  const char* role() const {
    return client_ == ConnectorHealth::Client::kConsumer ? "consumer" : "producer";
  }

  const Host& host_;
  ConnectorHealth& health_;
  const ConnectorHealth::Client client_;
  KafkaMetrics& metrics_;

 private:
  static void log_cb(const rd_kafka_t* rk, int level, const char* facility, const char* text);
  static void error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static int stats_cb(rd_kafka_t* rk, char* json, size_t json_len, void* opaque);
};

}  // namespace sluice::kafka
