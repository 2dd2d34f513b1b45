// One WebSocket message waiting to be written to a client: a body shared by
// every client that gets the same event, and an optional per-subscription
// head (the envelope's `{"sub":"<id>",`), so fan-out copies no payload.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::websocket {

struct OutFrame {
  std::shared_ptr<const std::string> head;  // may be null
  std::shared_ptr<const std::string> body;
  bool text = true;
  // Nonzero: frames with one tag are successive versions of one stream of
  // one subscription, so a `keep_latest` queue may replace one by the next.
  uint64_t stream_tag = 0;
  bool control = false;  // a protocol answer, not an event: not counted as delivered

  size_t size() const { return (head ? head->size() : 0) + (body ? body->size() : 0); }
};

// Heterogeneous lookup for maps keyed by std::string (find by string_view).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace sluice::websocket
