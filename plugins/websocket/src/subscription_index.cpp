#include "subscription_index.hpp"

#include <algorithm>

namespace sluice::websocket {

void SubscriptionIndex::add(Subscription* sub) {
  // File it under the field whose values the fewest other subscriptions
  // filter on: a device id shared by a handful beats a tenant shared by
  // thousands, so an event for another device never looks at it.
  const FieldCondition* anchor = nullptr;
  size_t best_cost = SIZE_MAX;
  for (const auto& c : sub->filter.fields) {
    auto& refs = value_refs_[c.field];
    size_t cost = 0;
    for (const auto& value : c.values.values()) {
      auto it = refs.find(value);
      cost += 1 + (it == refs.end() ? 0 : it->second);
    }
    if (cost < best_cost) anchor = &c, best_cost = cost;
  }
  for (const auto& c : sub->filter.fields) {
    auto& refs = value_refs_[c.field];
    for (const auto& value : c.values.values()) {
      auto it = refs.find(value);
      if (it == refs.end()) it = refs.emplace(value, 0).first;
      ++it->second;
    }
  }
  ++size_;
  if (!anchor) {
    sub->anchor = SIZE_MAX;
    unanchored_.push_back(sub);
    return;
  }
  sub->anchor = anchor->field;
  auto& map = by_value_[anchor->field];
  for (const auto& value : anchor->values.values()) {
    auto it = map.find(value);
    if (it == map.end()) it = map.emplace(value, Bucket{}).first;
    it->second.push_back(sub);
  }
}

size_t SubscriptionIndex::candidates(const EventFields& event) const {
  size_t n = unanchored_.size();
  for (size_t f = 0; f < by_value_.size(); ++f) {
    if (!event.values[f]) continue;
    auto it = by_value_[f].find(*event.values[f]);
    if (it != by_value_[f].end()) n += it->second.size();
  }
  return n;
}

void SubscriptionIndex::erase_from(Bucket& bucket, Subscription* sub) {
  auto it = std::find(bucket.begin(), bucket.end(), sub);
  if (it == bucket.end()) return;
  *it = bucket.back();
  bucket.pop_back();
}

void SubscriptionIndex::remove(Subscription* sub) {
  --size_;
  for (const auto& c : sub->filter.fields) {
    auto& refs = value_refs_[c.field];
    for (const auto& value : c.values.values()) {
      auto it = refs.find(value);
      if (it != refs.end() && --it->second == 0) refs.erase(it);
    }
  }
  if (sub->anchor == SIZE_MAX) {
    erase_from(unanchored_, sub);
    return;
  }
  auto& map = by_value_[sub->anchor];
  for (const auto& c : sub->filter.fields) {
    if (c.field != sub->anchor) continue;
    for (const auto& value : c.values.values()) {
      auto it = map.find(value);
      if (it == map.end()) continue;
      erase_from(it->second, sub);
      if (it->second.empty()) map.erase(it);
    }
    break;
  }
}

}  // namespace sluice::websocket
