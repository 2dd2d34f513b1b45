// Finds the subscriptions an event matches without looking at the others:
// each subscription is filed under the values of one of its indexed fields
// (the one with the fewest values), so matching costs one hash lookup per
// indexed field plus a check of the subscriptions filed under the event's
// values. Subscriptions with no field condition are checked for every event.
// Not thread-safe: the hub guards it.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "out_frame.hpp"
#include "subscription.hpp"

namespace sluice::websocket {

class SubscriptionIndex {
 public:
  explicit SubscriptionIndex(size_t field_count)
      : by_value_(field_count), value_refs_(field_count) {}

  void add(Subscription* sub);
  void remove(Subscription* sub);

  // Calls fn(Subscription*) once for every subscription matching `event`.
  template <class F>
  void match(const EventFields& event, F&& fn) const {
    for (size_t f = 0; f < by_value_.size(); ++f) {
      const auto& value = event.values[f];
      if (!value) continue;
      auto it = by_value_[f].find(*value);
      if (it == by_value_[f].end()) continue;
      for (Subscription* sub : it->second)
        if (sub->filter.matches(event, f)) fn(sub);
    }
    for (Subscription* sub : unanchored_)
      if (sub->filter.matches(event)) fn(sub);
  }

  // How many subscriptions matching `event` would check (for tests and
  // tuning): the size of the buckets it hits plus the unanchored ones.
  size_t candidates(const EventFields& event) const;

  size_t size() const { return size_; }
  size_t unanchored() const { return unanchored_.size(); }

 private:
  using Bucket = std::vector<Subscription*>;
  static void erase_from(Bucket& bucket, Subscription* sub);

  std::vector<std::unordered_map<std::string, Bucket, StringHash, std::equal_to<>>> by_value_;
  // Per field: value -> how many subscriptions filter on it (anchored there
  // or not); what add() weighs to pick an anchor.
  std::vector<std::unordered_map<std::string, size_t, StringHash, std::equal_to<>>> value_refs_;
  Bucket unanchored_;
  size_t size_ = 0;
};

}  // namespace sluice::websocket
