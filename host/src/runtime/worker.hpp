// A routing thread: takes messages from its bounded ingress queue in
// batches and hands each to the delivery engine's routing step. Messages
// with one routing key always land on the same worker, which keeps their
// order.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <variant>

#include "runtime/bounded_queue.hpp"
#include "runtime/delivery.hpp"
#include "runtime/router.hpp"

namespace sluice::runtime {

class DeliveryEngine;

class Worker : public Dispatch {
 public:
  Worker(DeliveryEngine& engine, size_t index, size_t capacity);
  ~Worker() override;

  // Ingress: waits up to `wait` for room. False = full (BUSY) or closed;
  // the delivery is then dropped unrouted.
  bool offer(std::unique_ptr<Delivery> delivery, std::chrono::milliseconds wait) {
    return queue_.push(Item{std::move(delivery)}, wait);
  }
  // Runs `task` on this worker's thread, ahead of no one, ignoring the
  // bound (retries and timer releases that are already accounted for).
  void post(std::function<void()> task) override { queue_.push_always(Item{std::move(task)}); }
  size_t worker_index() const override { return index_; }
  void send(Delivery& delivery, Output output) override;

  void start();
  void close() { queue_.close(); }
  void join();
  size_t depth() const { return queue_.size(); }
  size_t capacity() const { return queue_.capacity(); }
  size_t index() const { return index_; }
  // Average time this worker spends routing one message, in microseconds
  // (exponentially weighted, sampled).
  double routing_time_ewma_us() const { return routing_ewma_us_.load(std::memory_order_relaxed); }

 private:
  using Item = std::variant<std::unique_ptr<Delivery>, std::function<void()>>;
  void loop();
  void process(std::unique_ptr<Delivery> delivery);

  DeliveryEngine& engine_;
  size_t index_;
  BoundedQueue<Item> queue_;
  std::thread thread_;
  uint64_t processed_ = 0;
  std::atomic<double> routing_ewma_us_{0};
};

}  // namespace sluice::runtime
