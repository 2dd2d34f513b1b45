#include "runtime/worker.hpp"

#include "runtime/ack_gatherer.hpp"
#include "runtime/delivery_engine.hpp"

namespace sluice::runtime {
namespace {
constexpr size_t kBatch = 64;
}

Worker::Worker(DeliveryEngine& engine, size_t index, size_t capacity)
    : engine_(engine), index_(index), queue_(capacity) {}

Worker::~Worker() {
  close();
  join();
}

void Worker::start() {
  thread_ = std::thread([this] { loop(); });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::loop() {
  std::vector<Item> batch;
  batch.reserve(kBatch);
  AckGatherer acks;  // what this thread settles goes back per batch
  while (true) {
    batch.clear();
    if (!queue_.pop_batch(batch, kBatch, std::chrono::milliseconds(100))) break;
    for (auto& item : batch) {
      if (auto* incoming = std::get_if<Incoming>(&item))
        process(std::move(*incoming));
      else
        std::get<std::function<void()>>(item)();
    }
    engine_.hand_over_gathered_acks();  // before waiting for more
  }
  engine_.hand_over_gathered_acks();
}

void Worker::process(Incoming incoming) {
  // Time one message in 16: enough for the EWMA, cheap on the hot path.
  // One writer: a plain load and store, no locked increment per message.
  uint64_t n = processed_.load(std::memory_order_relaxed) + 1;
  processed_.store(n, std::memory_order_relaxed);
  bool timed = (n & 15) == 0;
  auto t0 = timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  engine_.route(std::make_unique<Delivery>(engine_, std::move(incoming.message), *incoming.source,
                                           incoming.ack_id, incoming.received_at),
                *this);
  if (!timed) return;
  double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  // Only this thread writes, so load+store is race-free.
  double cur = routing_ewma_us_.load(std::memory_order_relaxed);
  routing_ewma_us_.store(cur == 0 ? us : cur * 0.9 + us * 0.1, std::memory_order_relaxed);
}

void Worker::send(Delivery& delivery, Output output) {
  engine_.dispatch(delivery, std::move(output), index_);
}

void Worker::send_unowned(Output output) { engine_.dispatch_unowned(std::move(output), index_); }

}  // namespace sluice::runtime
