#include "runtime/ack_gatherer.hpp"

#include "runtime/connector.hpp"

namespace sluice::runtime {
namespace {
thread_local AckGatherer* current = nullptr;
}

AckGatherer::AckGatherer() : previous_(current) { current = this; }

AckGatherer::~AckGatherer() { current = previous_; }

AckGatherer* AckGatherer::on_this_thread() { return current; }

void AckGatherer::add(Connector& source, uint64_t ack_id, bool ok) {
  PerSource* slot = nullptr;
  for (auto& p : pending_)
    if (p.source == &source) slot = &p;
  if (!slot) slot = &pending_.emplace_back(PerSource{&source, {}, {}});
  slot->ids.push_back(ack_id);
  slot->outcomes.push_back(ok ? SLUICE_OUTCOME_ACK : SLUICE_OUTCOME_NACK);
}

size_t AckGatherer::flush() {
  size_t handed = 0;
  for (auto& p : pending_) {
    if (p.ids.empty()) continue;
    if (p.source->ack_batch(p.ids.data(), p.outcomes.data(), p.ids.size())) {
      for (sluice_outcome o : p.outcomes)
        (o == SLUICE_OUTCOME_ACK ? p.source->stats().acked : p.source->stats().nacked)->inc();
    }
    handed += p.ids.size();
    p.ids.clear();
    p.outcomes.clear();
  }
  return handed;
}

}  // namespace sluice::runtime
