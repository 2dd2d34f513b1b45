// A routing thread: takes messages from its bounded ingress queue in
// batches and runs the router on each. Messages with one routing key always
// land on the same worker, which keeps their order.
#pragma once

#include <functional>
#include <thread>
#include <variant>

#include "runtime/bounded_queue.hpp"
#include "runtime/router.hpp"

namespace sluice::runtime {

class Runtime;

class Worker : public Dispatch {
 public:
  Worker(Runtime& runtime, size_t index, size_t capacity);
  ~Worker() override;

  // Ingress: waits up to `wait` for room. False = full (BUSY) or closed.
  bool offer(EnvelopePtr message, std::chrono::milliseconds wait) {
    return queue_.push(Item{std::move(message)}, wait);
  }
  // Runs `task` on this worker's thread, ahead of no one, ignoring the
  // bound (retries and timer releases that are already accounted for).
  void post(std::function<void()> task) override { queue_.push_always(Item{std::move(task)}); }
  size_t worker_index() const override { return index_; }

  void start();
  void close() { queue_.close(); }
  void join();
  size_t depth() const { return queue_.size(); }
  size_t capacity() const { return queue_.capacity(); }
  size_t index() const { return index_; }

  void send(Delivery& delivery, Output output) override;

 private:
  using Item = std::variant<EnvelopePtr, std::function<void()>>;
  void loop();
  void process(const EnvelopePtr& message);

  Runtime& runtime_;
  size_t index_;
  BoundedQueue<Item> queue_;
  std::thread thread_;
  uint64_t processed_ = 0;
};

}  // namespace sluice::runtime
