// The kafka plugin: one connector = one consumer-group member (when it has
// topics to read) and one idempotent producer (for routes that write to it
// and for the dead-letter topic).
#include <algorithm>
#include <memory>
#include <sluice/plugin.hpp>

#include "connector_health.hpp"
#include "kafka_consumer.hpp"
#include "kafka_metrics.hpp"
#include "kafka_producer.hpp"
#include "kafka_settings.hpp"
#include "topic_pattern.hpp"

namespace sluice::kafka {
namespace {

constexpr std::chrono::seconds kGroupJoinGrace{15};
constexpr uint32_t kCloseFlushMs = 10000;

class KafkaPlugin final : public Plugin {
 public:
  // Topic names are dot-separated words; route patterns use `*` and `>`
  // (topic_pattern.hpp turns them into a subscription regex).
  static constexpr uint32_t subject_syntax = SLUICE_SUBJECT_SYNTAX_NATS;

  KafkaPlugin(Host host, const KafkaSettings& settings)
      : Plugin(std::move(host)),
        settings_(settings),
        metrics_(this->host()),
        health_(settings.group, kGroupJoinGrace),
        topics_(settings.topics) {}

  ~KafkaPlugin() override {
    // Order matters: no more polling; let dead-letter deliveries land and
    // update the offsets; commit and leave the group; then the producer.
    if (consumer_) consumer_->stop_polling();
    if (producer_) producer_->flush(kCloseFlushMs);
    if (consumer_) consumer_->close();
    if (producer_) producer_->close(kCloseFlushMs);
    consumer_.reset();
    producer_.reset();
  }

  static void validate(const KafkaSettings& settings, std::vector<std::string>& errors) {
    validate_settings(settings, errors);
  }

  Status subscribe(std::string_view pattern, std::string&) override {
    read_by_routes_ = true;
    if (auto topic = subscription_for_pattern(pattern)) {
      if (std::find(topics_.begin(), topics_.end(), *topic) == topics_.end())
        topics_.push_back(*topic);
    }
    return Status::kOk;
  }

  Status start(std::string& error) override {
    const std::string node_id(host().node_id());
    producer_ = std::make_unique<KafkaProducer>(host(), health_, metrics_, settings_.default_topic,
                                                node_id);
    if (!producer_->start(client_properties(settings_, Role::kProducer, node_id), error)) {
      producer_.reset();
      return Status::kError;
    }
    if (topics_.empty()) {
      if (!read_by_routes_) return Status::kOk;  // a sink only
      error =
          "a route reads from this connector but it has no topics: set 'topics' or name the "
          "topic in the route (from: <connector>:<topic>)";
      return Status::kError;
    }
    ConsumerOptions options;
    options.properties = client_properties(settings_, Role::kConsumer, node_id);
    options.topics = topics_;
    options.dead_letter_topic = settings_.dead_letter_topic;
    options.max_poll_batch = settings_.max_poll_batch;
    options.redelivery_delay = settings_.redelivery_delay;
    options.revoke_timeout = settings_.revoke_timeout;
    consumer_ = std::make_unique<KafkaConsumer>(
        host(), health_, metrics_, std::move(options),
        settings_.dead_letter_topic.empty() ? nullptr : producer_.get());
    health_.client_started(ConnectorHealth::Client::kConsumer, settings_.statistics_interval_ms > 0,
                           ConnectorHealth::Clock::now());
    if (!consumer_->start(error)) {
      consumer_.reset();
      return Status::kError;
    }
    return Status::kOk;
  }

  void stop() override {
    if (consumer_) consumer_->stop();
  }

  Status publish(const MessageView& message, Completion& completion, std::string& error) override {
    if (!producer_) {
      error = "the Kafka connector is not started";
      return Status::kError;
    }
    return producer_->publish(message, completion, error);
  }

  void ack(uint64_t ack_id, Outcome outcome) override {
    if (consumer_) consumer_->ack(ack_id, outcome);
  }

  Status flush(uint32_t timeout_ms) override {
    return producer_ ? producer_->flush(timeout_ms) : Status::kOk;
  }

  Health health() override { return health_.report(ConnectorHealth::Clock::now()); }

 private:
  const KafkaSettings settings_;
  KafkaMetrics metrics_;
  ConnectorHealth health_;
  std::vector<std::string> topics_;
  bool read_by_routes_ = false;
  std::unique_ptr<KafkaProducer> producer_;
  std::unique_ptr<KafkaConsumer> consumer_;
};

}  // namespace
}  // namespace sluice::kafka

using sluice::kafka::KafkaPlugin;

SLUICE_PLUGIN(KafkaPlugin, "kafka", "1.0.0",
              "Apache Kafka and Redpanda: consumer groups with at-least-once commits, idempotent "
              "producer",
              SLUICE_CAP_SOURCE | SLUICE_CAP_SINK, sluice::kafka::settings)
