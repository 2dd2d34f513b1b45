// Source messages into the workers' queues: the host API's emit (ingest)
// and emit_batch (ingest_batch). Each message is copied into an envelope on
// the source's thread and goes to the worker its routing key hashes to, so
// one key keeps its order; a keyless message of a source with `order: none`
// goes to the workers in turn instead, in runs so that a batch still takes
// one queue lock per run.
#include <chrono>

#include "runtime/connector.hpp"
#include "runtime/delivery_engine.hpp"

namespace sluice::runtime {
namespace {

bool malformed(const sluice_message& m) { return m.payload.len > 0 && !m.payload.data; }

// Keyless messages of a spreading source per worker before the next one's turn.
constexpr uint64_t kSpreadRun = 64;

}  // namespace

std::optional<sluice_status> DeliveryEngine::refuse_before_copy(Connector& source,
                                                                uint32_t wait_ms) {
  if (closed_.load(std::memory_order_relaxed) || workers_.empty()) return SLUICE_CLOSED;
  if (!admitted(source, wait_ms)) return not_taken(source);
  return std::nullopt;
}

bool DeliveryEngine::admitted(Connector& source, uint32_t wait_ms) const {
  // Source policies: each offer keeps the source live and counts towards
  // its round-robin turn; a paused standby source is held back here,
  // before anything is copied.
  const Router* router = current_router();
  return !router || router->admit_source(source, std::chrono::milliseconds(wait_ms));
}

DeliveryEngine::Prepared DeliveryEngine::prepare(Connector& source, const sluice_message& m,
                                                 uint64_t ack_id, const Arrival& at) const {
  auto env = message::Envelope::from_c(m);
  env->origin = source.name();
  if (env->timestamp_ms == 0) env->timestamp_ms = at.wall_ms;
  Prepared p;
  // Rendered now, shown only if the message is accepted: a source that
  // hears BUSY offers it again.
  if (taps_ && taps_->active())
    p.tapped = taps_->prepare({tap::Direction::kIn, source.name(), {}, *env, env->subject});
  if (!env->key && source.spreads_keyless())
    p.worker = source.next_spread_index() / kSpreadRun % workers_.size();
  else
    p.worker = std::hash<std::string_view>{}(env->routing_key()) % workers_.size();
  p.bytes = env->payload.size();
  p.incoming = {std::move(env), &source, ack_id, at.steady};
  return p;
}

void DeliveryEngine::count_accepted(Connector& source, size_t bytes,
                                    std::optional<tap::TapHub::Pending> tapped) {
  source.stats().messages_in->inc();
  source.stats().bytes_in->add(static_cast<double>(bytes));
  if (tapped) tap::TapHub::commit(std::move(*tapped));
}

DeliveryEngine::Arrival DeliveryEngine::Arrival::now() {
  return {std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count(),
          std::chrono::steady_clock::now()};
}

sluice_status DeliveryEngine::not_taken(Connector& source) {
  if (closed_.load()) return SLUICE_CLOSED;
  source.stats().busy->inc();
  return SLUICE_BUSY;
}

sluice_status DeliveryEngine::ingest(Connector& source, const sluice_message* m, uint64_t ack_id,
                                     uint32_t wait_ms) {
  if (!m || malformed(*m)) return SLUICE_REJECTED;
  if (auto refused = refuse_before_copy(source, wait_ms)) return *refused;
  Prepared p = prepare(source, *m, ack_id, Arrival::now());
  // Counted before the offer: the worker may finish it before offer returns.
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  if (!workers_[p.worker]->offer(std::move(p.incoming), std::chrono::milliseconds(wait_ms))) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    return not_taken(source);
  }
  count_accepted(source, p.bytes, std::move(p.tapped));
  return SLUICE_OK;
}

sluice_status DeliveryEngine::ingest_batch(Connector& source, const sluice_message* messages,
                                           const uint64_t* ack_ids, size_t count, uint32_t wait_ms,
                                           size_t& accepted) {
  accepted = 0;
  if (count == 0) return SLUICE_OK;
  if (!messages || !ack_ids) return SLUICE_REJECTED;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  if (auto refused = refuse_before_copy(source, wait_ms)) return *refused;

  // Consecutive messages for one worker go into its queue together: one
  // lock and one wake-up for the run. A run that does not fit ends the
  // call there, so what was taken is always a prefix.
  std::vector<Worker::Incoming> run;
  std::vector<std::pair<size_t, std::optional<tap::TapHub::Pending>>> run_books;
  size_t run_worker = 0;
  auto offer_run = [&] {
    in_flight_.fetch_add(static_cast<int64_t>(run.size()), std::memory_order_relaxed);
    size_t taken = workers_[run_worker]->offer_many(run.begin(), run.end(), deadline);
    in_flight_.fetch_sub(static_cast<int64_t>(run.size() - taken), std::memory_order_relaxed);
    for (size_t k = 0; k < taken; ++k)
      count_accepted(source, run_books[k].first, std::move(run_books[k].second));
    accepted += taken;
    bool all = taken == run.size();
    run.clear();
    run_books.clear();
    return all;
  };

  // Under a source policy each message is admitted and queued before the
  // next is asked for: a turn may end within the batch, and the next
  // source's messages must not overtake this one's.
  const Router* router = current_router();
  const bool policed = router && router->polices_source(source);
  const Arrival at = Arrival::now();  // one clock reading for the batch
  size_t i = 0;
  for (; i < count && !malformed(messages[i]); ++i) {
    if (policed && i > 0) {  // the first was admitted above
      if (!run.empty() && !offer_run()) return not_taken(source);
      if (!admitted(source, 0)) return not_taken(source);
    }
    Prepared p = prepare(source, messages[i], ack_ids[i], at);
    if (!run.empty() && p.worker != run_worker && !offer_run()) return not_taken(source);
    run_worker = p.worker;
    run.push_back(std::move(p.incoming));
    run_books.emplace_back(p.bytes, std::move(p.tapped));
  }
  if (!run.empty() && !offer_run()) return not_taken(source);
  return i < count ? SLUICE_REJECTED : SLUICE_OK;
}

}  // namespace sluice::runtime
