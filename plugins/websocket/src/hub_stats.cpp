// Hub: totals for metrics and the `GET <path>/clients` listing.
#include <boost/json.hpp>
#include <shared_mutex>

#include "hub.hpp"

namespace sluice::websocket {

HubTotals Hub::totals() const {
  HubTotals t;
  {
    std::shared_lock lock(index_mutex_);
    t.clients = clients_.size();
  }
  t.subscriptions = subscription_count_.load();
  t.published = published_.load();
  t.delivered = delivered_.load();
  t.dropped = dropped_.load();
  t.throttled = throttled_.load();
  t.fanout_count = fanout_count_.load();
  t.fanout_ns = fanout_ns_.load();
  t.stalled = stalled_count_.load();
  return t;
}

std::string Hub::clients_json() const {
  namespace json = boost::json;
  json::array list;
  auto now = std::chrono::system_clock::now();
  {
    std::shared_lock lock(index_mutex_);
    for (const auto& [id, client] : clients_) {
      json::array subs;
      for (const auto& [sub_id, sub] : client->subscriptions_) subs.emplace_back(sub_id);
      size_t queued;
      {
        std::lock_guard client_lock(client->mutex_);
        queued = client->queue_.size();
      }
      const auto& c = client->counters();
      list.push_back(json::object{
          {"id", client->id()},
          {"remote", client->info().remote},
          {"path", client->info().path},
          {"identity", client->info().identity.name},
          {"tenant", client->info().identity.tenant},
          {"format", client->info().format == Format::kRaw ? "raw" : "envelope"},
          {"connected_s", std::chrono::duration<double>(now - client->connected_at()).count()},
          {"subscriptions", std::move(subs)},
          {"queued", queued},
          {"stalled", client->stalled_.load(std::memory_order_relaxed)},
          {"delivered", c.delivered.load()},
          {"dropped", c.dropped.load()},
          {"throttled", c.throttled.load()}});
    }
  }
  HubTotals t = totals();
  json::object totals{
      {"clients", t.clients},
      {"subscriptions", t.subscriptions},
      {"published", t.published},
      {"delivered", t.delivered},
      {"dropped", t.dropped},
      {"throttled", t.throttled},
      {"stalled", t.stalled},
      {"fanout_avg_us", t.fanout_count ? t.fanout_ns / 1000.0 / t.fanout_count : 0.0}};
  return json::serialize(json::object{{"clients", std::move(list)}, {"totals", std::move(totals)}});
}

}  // namespace sluice::websocket
