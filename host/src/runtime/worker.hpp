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

  // A source's message on its way in. The worker makes its Delivery, not
  // the source's thread: that thread is the single feeder of all workers,
  // so every allocation taken off it is throughput (file -> null was 10%
  // slower with the Delivery made at ingest).
  struct Incoming {
    message::EnvelopePtr message;
    Connector* source = nullptr;
    uint64_t ack_id = 0;
    Delivery::Clock::time_point received_at;
  };

  // Ingress: waits up to `wait` for room. False = full (BUSY) or closed;
  // the message is then dropped unrouted.
  bool offer(Incoming incoming, std::chrono::milliseconds wait) {
    return queue_.push(Item{std::move(incoming)}, wait);
  }
  // Ingress for a run of messages: moves them in order while there is
  // room, waiting until `deadline`; returns how many it took (a prefix).
  template <class It>
  size_t offer_many(It first, It last, std::chrono::steady_clock::time_point deadline) {
    return queue_.push_many(first, last, deadline);
  }
  // Runs `task` on this worker's thread, ahead of no one, ignoring the
  // bound (retries and timer releases that are already accounted for).
  void post(std::function<void()> task) override { queue_.push_always(Item{std::move(task)}); }
  size_t worker_index() const override { return index_; }
  void send(Delivery& delivery, Output output) override;
  void send_unowned(Output output) override;

  void start();
  void close() { queue_.close(); }
  void join();
  size_t depth() const { return queue_.size(); }
  size_t capacity() const { return queue_.capacity(); }
  size_t index() const { return index_; }
  // Average time this worker spends routing one message, in microseconds
  // (exponentially weighted, sampled).
  double routing_time_ewma_us() const { return routing_ewma_us_.load(std::memory_order_relaxed); }
  // Source messages this worker has routed.
  uint64_t processed() const { return processed_.load(std::memory_order_relaxed); }

 private:
  using Item = std::variant<Incoming, std::function<void()>>;
  void loop();
  void process(Incoming incoming);

  DeliveryEngine& engine_;
  size_t index_;
  BoundedQueue<Item> queue_;
  std::thread thread_;
  std::atomic<uint64_t> processed_{0};  // written by this worker only
  std::atomic<double> routing_ewma_us_{0};
};

}  // namespace sluice::runtime
