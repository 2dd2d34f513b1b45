// Batched PING/PONG confirmation of core NATS publishes (see flush_confirmer.hpp).
#include "flush_confirmer.hpp"

#include <algorithm>

#include "thread_name.hpp"

namespace sluice::nats {

FlushConfirmer::FlushConfirmer(NatsConnection& connection, PluginMetrics& metrics,
                               int64_t timeout_ms)
    : connection_(connection), metrics_(metrics), timeout_ms_(timeout_ms) {}

FlushConfirmer::~FlushConfirmer() { stop(0); }

void FlushConfirmer::start() {
  worker_ = std::thread([this] {
    name_this_thread("nats-confirm");
    run();
  });
}

void FlushConfirmer::add(Completion& completion, uint64_t epoch,
                         std::optional<Clock::time_point> deadline) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(
        Entry{std::move(completion), epoch,
              deadline.value_or(Clock::now() + std::chrono::milliseconds(timeout_ms_))});
  }
  metrics_.in_flight.add(1);
  wake_.notify_one();
}

size_t FlushConfirmer::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + in_round_;
}

void FlushConfirmer::settle(std::deque<Entry>& batch, bool flushed) {
  std::deque<Entry> keep;
  auto now = Clock::now();
  auto state = connection_.state();
  uint64_t epoch = connection_.epoch();
  for (auto& e : batch) {
    if (flushed) {
      metrics_.published.add(1);
      e.completion.ok();
    } else if (state == LinkState::kClosed) {
      metrics_.publish_failed.add(1);
      e.completion.fail(Status::kError, "the NATS connection is closed");
    } else if (e.epoch != epoch) {
      // Written to a socket that broke before the server confirmed it.
      metrics_.publish_failed.add(1);
      e.completion.fail(Status::kError,
                        "the NATS connection was lost before the server confirmed the publish");
    } else if (e.deadline <= now) {
      metrics_.publish_failed.add(1);
      e.completion.fail(Status::kError, "nats-server did not confirm the publish within " +
                                            std::to_string(timeout_ms_) + " ms (" +
                                            link_state_name(state) + ")");
    } else {
      keep.push_back(std::move(e));
      continue;
    }
    metrics_.in_flight.add(-1);
  }
  batch = std::move(keep);
}

void FlushConfirmer::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) break;
    std::deque<Entry> batch;
    batch.swap(queue_);
    in_round_ = batch.size();
    bool give_up = stopping_ && Clock::now() >= stop_deadline_;
    lock.unlock();

    bool flushed = false;
    if (give_up) {
      for (auto& e : batch) {
        metrics_.publish_failed.add(1);
        e.completion.fail(Status::kError, "the connector stopped before nats-server confirmed");
        metrics_.in_flight.add(-1);
      }
      batch.clear();
    } else {
      if (connection_.state() == LinkState::kConnected) {
        int64_t wait = std::clamp<int64_t>(timeout_ms_, 1, 1000);
        flushed = natsConnection_FlushTimeout(connection_.get(), wait) == NATS_OK;
      }
      settle(batch, flushed);
    }

    lock.lock();
    in_round_ = 0;
    if (!batch.empty()) {
      // Not confirmed yet (reconnecting): retry after a reconnect or shortly.
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
      wake_.wait_for(lock, std::chrono::milliseconds(100));
    }
  }
}

void FlushConfirmer::stop(int64_t timeout_ms) {
  {
    std::lock_guard lock(mutex_);
    if (!worker_.joinable()) return;
    stopping_ = true;
    stop_deadline_ = Clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  wake_.notify_all();
  worker_.join();
}

}  // namespace sluice::nats
