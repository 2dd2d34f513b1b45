// The sink side: one idempotent librdkafka producer shared by every worker.
// A publish completes when Kafka's delivery report arrives, so the source
// message is acknowledged only once Kafka has it. A full local queue is
// reported as busy (backpressure).
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
#include <sluice/plugin.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "client_events.hpp"
#include "kafka_settings.hpp"

namespace sluice::kafka {

class KafkaProducer final : public ClientEvents {
 public:
  // Called from the delivery thread with Kafka's answer.
  using DeliveryCallback = std::function<void(rd_kafka_resp_err_t error)>;

  struct Record {
    std::string_view topic;
    std::optional<std::string_view> key;
    std::string_view payload;
    std::vector<std::pair<std::string_view, std::string_view>> headers;
    int64_t timestamp_ms = 0;  // 0: now
  };

  KafkaProducer(const Host& host, ConnectorHealth& health, KafkaMetrics& metrics,
                std::string default_topic, std::string default_key);
  ~KafkaProducer() override;

  // Creates the client and its delivery thread.
  bool start(const Properties& properties, std::string& error);

  // Worker threads. Takes `completion` only when returning kOk.
  Status publish(const MessageView& message, Completion& completion, std::string& error);
  // Produces a record and calls `done` with the outcome (kOk only).
  Status produce(const Record& record, DeliveryCallback done, std::string& error);

  Status flush(uint32_t timeout_ms);
  // Waits up to timeout_ms for outstanding deliveries, fails the rest, and
  // destroys the client. Every completion is completed when it returns.
  void close(uint32_t timeout_ms);

  // Maps a delivery error to the status a completion reports.
  static Status status_for(rd_kafka_resp_err_t error);

 private:
  struct Delivery {
    Completion completion;
    DeliveryCallback callback;
  };

  rd_kafka_topic_t* topic_handle(std::string_view topic);
  rd_kafka_resp_err_t send(const Record& record, Delivery* delivery);
  void on_statistics(const StatisticsSummary& stats) override;
  static void delivery_cb(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  void poll_loop();

  const std::string default_topic_;
  const std::string default_key_;
  rd_kafka_t* rk_ = nullptr;
  std::shared_mutex topics_mutex_;
  std::map<std::string, rd_kafka_topic_t*, std::less<>> topics_;
  std::atomic<bool> quit_{false};
  std::thread poller_;
};

}  // namespace sluice::kafka
