#include "runtime/worker.hpp"

#include "runtime/runtime.hpp"

namespace sluice::runtime {
namespace {
constexpr size_t kBatch = 64;
}

Worker::Worker(Runtime& runtime, size_t index, size_t capacity)
    : runtime_(runtime), index_(index), queue_(capacity) {}

Worker::~Worker() {
  runtime_.metrics().detach(this);
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
  while (true) {
    batch.clear();
    if (!queue_.pop_batch(batch, kBatch, std::chrono::milliseconds(100))) break;
    for (auto& item : batch) {
      if (auto* message = std::get_if<EnvelopePtr>(&item))
        process(*message);
      else
        std::get<std::function<void()>>(item)();
    }
  }
}

void Worker::process(const EnvelopePtr& message) {
  // Time one message in 16: enough for the EWMA, cheap on the hot path.
  bool timed = (++processed_ & 15) == 0;
  auto t0 = timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  auto* delivery = new Delivery(runtime_, message);
  message->delivery = delivery;
  if (!runtime_.handle_control(message, *delivery, *this)) {
    const Router* router = runtime_.current_router();
    if (!router || !router->route(message, *delivery, *this)) runtime_.count_unrouted();
  }
  delivery->settle(true);  // the routing step's own reference
  if (timed)
    runtime_.record_routing_time(
        index_,
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
}

void Worker::send(Delivery& delivery, Output output) {
  runtime_.dispatch(&delivery, std::move(output), index_);
}

}  // namespace sluice::runtime
