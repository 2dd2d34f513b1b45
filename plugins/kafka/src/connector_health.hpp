// What the connector reports through `health`: fed by librdkafka's error
// callback (all brokers down, fatal errors), by signs of life (deliveries,
// fetched messages, statistics showing a broker UP) and by the consumer
// group's state from the statistics. Cheap to read; never blocks for long.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <sluice/plugin.hpp>
#include <string>

namespace sluice::kafka {

class ConnectorHealth {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Client { kConsumer = 0, kProducer = 1 };

  // A group that has not joined `group_grace` after the consumer started
  // (or that left the "up" state after joining) makes the connector
  // unhealthy.
  explicit ConnectorHealth(std::string group, std::chrono::milliseconds group_grace)
      : group_(std::move(group)), group_grace_(group_grace) {}

  void client_started(Client client, bool reports_group, Clock::time_point now);
  void brokers_down(Client client, const std::string& reason);
  // Cheap when nothing changes: meant to be called on every delivery.
  void brokers_reachable(Client client) {
    if (down_[index(client)].load(std::memory_order_relaxed)) clear_down(client);
  }
  void fatal(Client client, const std::string& reason);
  void group_state(const std::string& state, Clock::time_point now);

  Health report(Clock::time_point now) const;

 private:
  static size_t index(Client c) { return static_cast<size_t>(c); }
  static const char* name(Client c) { return c == Client::kConsumer ? "consumer" : "producer"; }
  void clear_down(Client client);

  const std::string group_;
  const std::chrono::milliseconds group_grace_;
  std::array<std::atomic<bool>, 2> down_{};
  mutable std::mutex mutex_;
  std::array<std::string, 2> down_reason_;
  std::array<std::string, 2> fatal_;
  bool consumer_started_ = false;
  bool reports_group_ = false;
  Clock::time_point consumer_started_at_{};
  std::optional<std::string> group_state_;
  bool group_was_up_ = false;
};

}  // namespace sluice::kafka
