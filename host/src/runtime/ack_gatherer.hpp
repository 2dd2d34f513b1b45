// The acks a worker settles while it works through one batch of its queue,
// gathered per source and handed over in one call (plugin.h's ack_batch)
// when the batch is done: a file source then takes its checkpoint lock once
// per batch, not once per line. Only on a worker's own thread, which
// flushes before it waits for more work, so an ack waits at most one batch;
// acks settled anywhere else (a sink's completion thread) go out at once.
#pragma once

#include <sluice/plugin.h>

#include <cstdint>
#include <vector>

namespace sluice::runtime {

class Connector;

class AckGatherer {
 public:
  // Gathers on the calling thread until destroyed. Whoever owns it hands
  // everything over before that (DeliveryEngine::hand_over_gathered_acks,
  // which also counts them out of the engine's in-flight total).
  AckGatherer();
  ~AckGatherer();
  AckGatherer(const AckGatherer&) = delete;
  AckGatherer& operator=(const AckGatherer&) = delete;

  // The calling thread's gatherer, or nullptr off a worker thread.
  static AckGatherer* on_this_thread();

  void add(Connector& source, uint64_t ack_id, bool ok);
  // Hands every gathered ack to its source; returns how many.
  size_t flush();

 private:
  struct PerSource {
    Connector* source;
    std::vector<uint64_t> ids;
    std::vector<sluice_outcome> outcomes;
  };
  // A batch touches few sources: a short vector searched in order.
  std::vector<PerSource> pending_;
  AckGatherer* previous_;
};

}  // namespace sluice::runtime
