// Confirms core NATS publishes in batches: a worker thread sends one PING
// for everything published since the last round and completes the batch
// when the server's PONG shows it received those messages (TCP order).
// Publishes made before a disconnect fail (they may have died with the
// socket; the host retries them); those held while disconnected (Publisher)
// come here once they are sent after the reconnect.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <sluice/plugin.hpp>
#include <thread>

#include "connection.hpp"
#include "nats_metrics.hpp"

namespace sluice::nats {

class FlushConfirmer {
 public:
  FlushConfirmer(NatsConnection& connection, PluginMetrics& metrics, int64_t timeout_ms);
  ~FlushConfirmer();
  FlushConfirmer(const FlushConfirmer&) = delete;
  FlushConfirmer& operator=(const FlushConfirmer&) = delete;

  void start();
  // Adds a publish that cnats accepted in connection epoch `epoch`; it fails
  // when not confirmed by `deadline` (default: publish_timeout_ms from now).
  void add(Completion& completion, uint64_t epoch,
           std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);
  size_t pending() const;
  // Wakes the worker (after a reconnect).
  void nudge() { wake_.notify_all(); }
  // Confirms what it can within `timeout_ms`, fails the rest, stops the worker.
  void stop(int64_t timeout_ms);

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    Completion completion;
    uint64_t epoch;
    Clock::time_point deadline;
  };

  void run();
  void settle(std::deque<Entry>& batch, bool flushed);

  NatsConnection& connection_;
  PluginMetrics& metrics_;
  const int64_t timeout_ms_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Entry> queue_;  // published, not yet in a flush round
  size_t in_round_ = 0;      // entries inside the current flush round
  bool stopping_ = false;
  Clock::time_point stop_deadline_{};
  std::thread worker_;
};

}  // namespace sluice::nats
