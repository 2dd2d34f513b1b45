// Hub: clients, subscriptions and control answers. Publishing and the
// throttle timer are in hub_publish.cpp, the statistics in hub_stats.cpp.
#include "hub.hpp"

#include <algorithm>
#include <shared_mutex>

#include "event_bodies.hpp"

namespace sluice::websocket {

Hub::Hub(HubOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock), index_(options_.index.size()) {
  if (!options_.stream_key.empty()) stream_key_field_ = field_id(options_.stream_key);
}

Hub::~Hub() = default;

std::optional<size_t> Hub::field_id(std::string_view name) const {
  for (size_t i = 0; i < options_.index.size(); ++i)
    if (options_.index[i].name == name) return i;
  return std::nullopt;
}

bool Hub::reserve_slot() {
  size_t current = slots_.load();
  do {
    if (current >= options_.max_clients) return false;
  } while (!slots_.compare_exchange_weak(current, current + 1));
  return true;
}

void Hub::release_slot() { slots_.fetch_sub(1); }

std::optional<Hub::Limits> Hub::limits_for(const Identity& identity) const {
  Limits limits;
  for (const auto& [name, values] : identity.constraints) {
    auto id = field_id(name);
    if (!id) return std::nullopt;  // a limit that cannot be enforced
    limits.emplace_back(*id, ValueSet(values));
  }
  return limits;
}

std::shared_ptr<Client> Hub::connect(ClientInfo info, ClientTransport* transport) {
  auto limits = limits_for(info.identity);
  if (!limits) return nullptr;
  auto client = std::make_shared<Client>(next_client_id_++, std::move(info), transport,
                                         options_.send_queue, options_.slow_client_policy);
  client->limits_ = std::move(*limits);
  std::unique_lock lock(index_mutex_);
  clients_.emplace(client->id(), client);
  return client;
}

void Hub::remove_subscription_locked(Client& /*client*/, Subscription* sub) {
  index_.remove(sub);
  {
    std::lock_guard pending(pending_mutex_);
    pending_.erase(sub);
  }
  subscription_count_.fetch_sub(1);
}

void Hub::disconnect(Client& client) {
  std::unique_lock lock(index_mutex_);
  if (!clients_.erase(client.id())) return;  // already gone
  for (auto& [id, sub] : client.subscriptions_) remove_subscription_locked(client, sub.get());
  client.subscriptions_.clear();
  {
    std::lock_guard client_lock(client.mutex_);
    client.closing_.store(true, std::memory_order_relaxed);
    set_stalled_locked(client, false);
    client.queue_.clear();
  }
  release_slot();
}

size_t Hub::client_count() const {
  std::shared_lock lock(index_mutex_);
  return clients_.size();
}

void Hub::close_all(uint16_t code, const std::string& reason) {
  std::shared_lock lock(index_mutex_);
  for (auto& [id, client] : clients_) {
    std::lock_guard client_lock(client->mutex_);
    client->closing_.store(true, std::memory_order_relaxed);
    client->transport_->close(code, reason);
  }
}

void Hub::abort_all() {
  std::shared_lock lock(index_mutex_);
  for (auto& [id, client] : clients_) {
    std::lock_guard client_lock(client->mutex_);
    client->closing_.store(true, std::memory_order_relaxed);
    client->transport_->abort();
  }
}

ThrottleSpec Hub::effective_throttle(const ThrottleRequest& request) const {
  const ThrottleCaps& caps = options_.caps;
  ThrottleSpec spec;
  spec.rate = request.rate.value_or(0);
  if (caps.max_rate > 0)
    spec.rate = spec.rate > 0 ? std::min(spec.rate, caps.max_rate) : caps.max_rate;
  spec.burst = request.burst.value_or(1);
  if (caps.max_burst > 0) spec.burst = std::min(spec.burst, caps.max_burst);
  spec.burst = std::max(1.0, spec.burst);
  spec.min_interval = std::chrono::milliseconds(
      std::max(request.min_interval_ms.value_or(0), caps.min_interval_ms));
  spec.keep_latest = request.keep_latest.value_or(caps.keep_latest);
  spec.buffer = static_cast<size_t>(
      std::clamp<int64_t>(request.buffer.value_or(0), 0, std::max<int64_t>(caps.max_buffer, 0)));
  return spec;
}

std::optional<ProtocolError> Hub::check_subscription(const Identity& identity,
                                                     const SubscribeRequest& request) const {
  auto limits = limits_for(identity);
  if (!limits)
    return ProtocolError{"forbidden", "identity has limits on unindexed fields", request.id};
  auto built = build_filter(*limits, request);
  if (auto* error = std::get_if<ProtocolError>(&built)) return *error;
  return std::nullopt;
}

std::variant<Filter, ProtocolError> Hub::build_filter(const Limits& limits,
                                                      const SubscribeRequest& request) const {
  std::map<size_t, ValueSet> conditions;
  for (const auto& [name, values] : request.fields) {
    auto id = field_id(name);
    if (!id) {
      std::string known;
      for (const auto& f : options_.index) known += (known.empty() ? "" : ", ") + f.name;
      return ProtocolError{"unknown_field",
                           "unknown filter field '" + name + "' (indexed fields: " +
                               (known.empty() ? "none" : known) + ", subject)",
                           request.id};
    }
    conditions[*id] = ValueSet(values);
  }
  // The identity's limits narrow the filter: asking for more is refused,
  // asking for nothing means "everything I may see".
  for (const auto& [id, allowed] : limits) {
    auto it = conditions.find(id);
    if (it == conditions.end()) {
      conditions.emplace(id, allowed);
      continue;
    }
    if (!allowed.contains_all(it->second)) {
      std::string outside;
      for (const auto& v : it->second.values())
        if (!allowed.contains(v)) outside += (outside.empty() ? "'" : ", '") + v + "'";
      return ProtocolError{"forbidden",
                           options_.index[id].name + " " + outside + " is outside your scope",
                           request.id};
    }
  }
  Filter filter;
  for (auto& [id, values] : conditions) filter.fields.push_back({id, std::move(values)});
  if (request.subject) {
    try {
      filter.subject = SubjectFilter(*request.subject);
    } catch (const std::exception& e) {
      return ProtocolError{"bad_filter", e.what(), request.id};
    }
  }
  return filter;
}

namespace {

std::string granted_json(const Hub& hub, const Subscription& sub) {
  boost::json::object filter;
  for (const auto& c : sub.filter.fields) {
    boost::json::array values;
    for (const auto& v : c.values.values()) values.emplace_back(v);
    filter[hub.options().index[c.field].name] = std::move(values);
  }
  if (!sub.filter.subject.text().empty()) filter["subject"] = sub.filter.subject.text();
  boost::json::object throttle;
  if (sub.throttle) {
    const ThrottleSpec& t = sub.throttle->spec();
    throttle["rate"] = t.rate;
    throttle["burst"] = t.burst;
    throttle["min_interval_ms"] = t.min_interval.count();
    throttle["keep_latest"] = t.keep_latest;
    throttle["buffer"] = t.buffer;
  }
  return boost::json::serialize(boost::json::object{{"type", "subscribed"},
                                                    {"id", sub.id},
                                                    {"filter", std::move(filter)},
                                                    {"throttle", std::move(throttle)}});
}

}  // namespace

std::variant<Granted, ProtocolError> Hub::subscribe(Client& client,
                                                    const SubscribeRequest& request) {
  auto built = build_filter(client.limits_, request);
  if (auto* error = std::get_if<ProtocolError>(&built)) return *error;
  auto sub = std::make_unique<Subscription>();
  sub->id = request.id;
  sub->client = &client;
  sub->filter = std::move(std::get<Filter>(built));
  ThrottleSpec spec = effective_throttle(request.throttle);
  if (spec.limits()) sub->throttle = std::make_unique<StreamThrottle>(spec);
  if (client.info().format == Format::kEnvelope) sub->envelope_head = envelope_head(request.id);
  sub->tag_seed = next_tag_seed_++ * 0x9e3779b97f4a7c15ull;
  Granted granted{granted_json(*this, *sub)};

  std::unique_lock lock(index_mutex_);
  if (!clients_.count(client.id()))
    return ProtocolError{"bad_frame", "the connection is closing", request.id};
  if (client.subscriptions_.count(request.id))
    return ProtocolError{"duplicate_id", "a subscription '" + request.id + "' exists already",
                         request.id};
  if (client.subscriptions_.size() >= options_.max_subscriptions)
    return ProtocolError{
        "too_many_subscriptions",
        "at most " + std::to_string(options_.max_subscriptions) + " subscriptions per connection",
        request.id};
  index_.add(sub.get());
  client.subscriptions_.emplace(request.id, std::move(sub));
  subscription_count_.fetch_add(1);
  return granted;
}

std::optional<ProtocolError> Hub::unsubscribe(Client& client, std::string_view id) {
  std::unique_lock lock(index_mutex_);
  auto it = client.subscriptions_.find(std::string(id));
  if (it == client.subscriptions_.end())
    return ProtocolError{"unknown_subscription", "no subscription '" + std::string(id) + "'",
                         std::string(id)};
  remove_subscription_locked(client, it->second.get());
  // Frames it already queued stay queued: they were matched while it lived.
  client.subscriptions_.erase(it);
  return std::nullopt;
}

void Hub::send_control(Client& client, std::string json) {
  OutFrame frame;
  frame.body = std::make_shared<const std::string>(std::move(json));
  frame.control = true;
  uint64_t dropped;
  {
    std::lock_guard lock(client.mutex_);
    dropped = enqueue_locked(client, std::move(frame));
  }
  if (dropped) dropped_.fetch_add(dropped, std::memory_order_relaxed);
}

void Hub::set_stalled_locked(Client& client, bool stalled) {
  if (client.stalled_.load(std::memory_order_relaxed) == stalled) return;
  client.stalled_.store(stalled, std::memory_order_relaxed);
  if (stalled)
    stalled_count_.fetch_add(1, std::memory_order_relaxed);
  else
    stalled_count_.fetch_sub(1, std::memory_order_relaxed);
}

uint64_t Hub::enqueue_locked(Client& client, OutFrame frame) {
  if (client.closing_.load(std::memory_order_relaxed)) return 0;
  if (client.stalled_.load(std::memory_order_relaxed)) {
    client.counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    return 1;
  }
  switch (client.queue_.push(std::move(frame))) {
    case SendQueue::Push::kQueued:
      break;
    case SendQueue::Push::kReplacedOlder:
      // Full: the writer is busy with a write the peer does not take. Until
      // one completes, queueing more would only replace frames at a cost per
      // message; the fan-out skips the client instead (see publish).
      client.counters_.dropped.fetch_add(1, std::memory_order_relaxed);
      set_stalled_locked(client, true);
      return 1;
    case SendQueue::Push::kOverflow: {
      uint64_t lost = client.queue_.size() + 1;
      client.counters_.dropped.fetch_add(lost, std::memory_order_relaxed);
      client.closing_.store(true, std::memory_order_relaxed);
      client.queue_.clear();
      client.transport_->close(1008, "send queue overflow: client too slow");
      return lost;
    }
  }
  if (!client.writing_) {
    client.writing_ = true;
    client.transport_->wake();
  }
  return 0;
}

bool Hub::next_frame(Client& client, OutFrame& frame) {
  std::lock_guard lock(client.mutex_);
  // The writer asks for more: its last write went out, so the client reads
  // again and may have new frames.
  set_stalled_locked(client, false);
  if (!client.closing_.load(std::memory_order_relaxed) && client.queue_.pop(frame)) return true;
  client.writing_ = false;
  return false;
}

void Hub::count_delivered(Client& client, const OutFrame& frame) {
  if (frame.control) return;
  client.counters_.delivered.fetch_add(1, std::memory_order_relaxed);
  delivered_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace sluice::websocket
