// One subscription of one client: the filter it matches events with (the
// client's request narrowed by its identity's limits), its throttle, and
// where the subscription index filed it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "subject_filter.hpp"
#include "throttle.hpp"
#include "value_set.hpp"

namespace sluice::websocket {

class Client;

// The indexed field values of one event, extracted once per publish.
struct EventFields {
  std::string_view subject;
  std::vector<std::optional<std::string>> values;  // per index field id; nullopt = absent
};

struct FieldCondition {
  size_t field = 0;  // index field id
  ValueSet values;   // the event's value must be one of these
};

struct Filter {
  std::vector<FieldCondition> fields;  // all must hold
  SubjectFilter subject;

  // True when every condition holds; `skip_field` (the anchor the index
  // already matched) is not checked again.
  bool matches(const EventFields& event, size_t skip_field = SIZE_MAX) const {
    for (const auto& c : fields) {
      if (c.field == skip_field) continue;
      const auto& v = event.values[c.field];
      if (!v || !c.values.contains(*v)) return false;
    }
    return subject.matches(event.subject);
  }
};

struct Subscription {
  std::string id;
  Client* client = nullptr;
  Filter filter;
  // Both only when used (a throttle that limits something, a client that
  // takes envelopes): thousands of raw, unthrottled subscriptions carry
  // neither.
  std::unique_ptr<StreamThrottle> throttle;
  std::shared_ptr<const std::string> envelope_head;  // `{"sub":"<id>",`
  uint64_t tag_seed = 0;                             // mixes into stream tags
  size_t anchor = SIZE_MAX;                          // field the index files it under
};

}  // namespace sluice::websocket
