// Hub: fan-out of one event to the matching subscriptions, and the timer
// that releases throttled frames.
#include <array>
#include <shared_mutex>

#include "event_bodies.hpp"
#include "hub.hpp"

namespace sluice::websocket {
namespace {

uint64_t mix(uint64_t seed, uint64_t hash) {
  uint64_t x = seed ^ (hash + 0x9e3779b97f4a7c15ull + (seed << 6) + (seed >> 2));
  return x == 0 ? 1 : x;  // 0 means "no stream"
}

}  // namespace

void Hub::mark_pending(Subscription* sub) {
  std::lock_guard lock(pending_mutex_);
  pending_.insert(sub);
}

void Hub::publish(const Event& event) {
  published_.fetch_add(1, std::memory_order_relaxed);
  // No subscriber, no work: not even parsing.
  if (subscription_count_.load(std::memory_order_acquire) == 0) return;
  auto started = std::chrono::steady_clock::now();

  // The payload is parsed once, into a stack buffer for typical events.
  std::array<unsigned char, 4096> buffer;
  boost::json::monotonic_resource resource(buffer.data(), buffer.size());
  boost::json::error_code ec;
  boost::json::value doc = boost::json::parse(event.payload, ec, &resource);
  bool is_json = !ec;

  EventFields fields;
  fields.subject = event.subject;
  fields.values.resize(options_.index.size());
  if (is_json) {
    for (size_t i = 0; i < options_.index.size(); ++i)
      if (const auto* v = options_.index[i].path.find(doc))
        fields.values[i] = common::scalar_text(*v);
  }
  std::string_view stream;
  if (stream_key_field_) {
    const auto& v = fields.values[*stream_key_field_];
    stream = v ? std::string_view(*v) : std::string_view();
  } else {
    stream = event.key ? *event.key : event.subject;
  }
  const uint64_t stream_hash = std::hash<std::string_view>{}(stream);
  const uint64_t seq = next_event_.fetch_add(1, std::memory_order_relaxed);
  EventBodies bodies(event.payload, event.subject, event.key, event.timestamp_ms, is_json);
  const TimePoint now = clock_.now();

  // Counted here and added once: a per-frame add to a hub-wide counter would
  // bounce its cache line between the publishing threads.
  uint64_t dropped = 0;
  uint64_t throttled = 0;
  {
    std::shared_lock lock(index_mutex_);
    index_.match(fields, [&](Subscription* sub) {
      Client& client = *sub->client;
      if (client.closing_.load(std::memory_order_relaxed)) return;
      if (client.info_.format == Format::kRaw) {
        // Raw frames carry no subscription id: one copy per client.
        if (client.last_event_.load(std::memory_order_relaxed) == seq) return;
        client.last_event_.store(seq, std::memory_order_relaxed);
      }
      if (client.stalled_.load(std::memory_order_relaxed)) {
        // It does not read: its frame is dropped before it is built, without
        // its lock, so a thousand such clients cost a thousand checks.
        client.counters_.dropped.fetch_add(1, std::memory_order_relaxed);
        ++dropped;
        return;
      }
      std::lock_guard client_lock(client.mutex_);
      OutFrame frame;
      if (client.info_.format == Format::kRaw) {
        frame.body = bodies.raw();
        frame.text = bodies.raw_is_text();
      } else {
        frame.head = sub->envelope_head;
        frame.body = bodies.envelope();
      }
      frame.stream_tag = mix(sub->tag_seed, stream_hash);
      if (sub->throttle) {
        switch (sub->throttle->offer(stream, frame, now)) {
          case StreamThrottle::Verdict::kSend:
            break;
          case StreamThrottle::Verdict::kHeld:
            mark_pending(sub);
            return;
          case StreamThrottle::Verdict::kCoalesced:
          case StreamThrottle::Verdict::kDropped:
            client.counters_.throttled.fetch_add(1, std::memory_order_relaxed);
            ++throttled;
            return;
        }
      }
      dropped += enqueue_locked(client, std::move(frame));
    });
  }
  if (dropped) dropped_.fetch_add(dropped, std::memory_order_relaxed);
  if (throttled) throttled_.fetch_add(throttled, std::memory_order_relaxed);
  auto elapsed = std::chrono::steady_clock::now() - started;
  fanout_ns_.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count(),
                       std::memory_order_relaxed);
  fanout_count_.fetch_add(1, std::memory_order_relaxed);
}

void Hub::poll_throttles() {
  std::shared_lock lock(index_mutex_);
  std::vector<Subscription*> subs;
  {
    std::lock_guard pending(pending_mutex_);
    if (pending_.empty()) return;
    subs.assign(pending_.begin(), pending_.end());
  }
  const TimePoint now = clock_.now();
  std::vector<OutFrame> due;
  uint64_t dropped = 0;
  for (Subscription* sub : subs) {
    Client& client = *sub->client;
    std::lock_guard client_lock(client.mutex_);
    due.clear();
    sub->throttle->release_due(now, due);
    for (auto& frame : due) dropped += enqueue_locked(client, std::move(frame));
    if (sub->throttle->held() == 0) {
      std::lock_guard pending(pending_mutex_);
      pending_.erase(sub);
    }
  }
  if (dropped) dropped_.fetch_add(dropped, std::memory_order_relaxed);
}

}  // namespace sluice::websocket
