// The bytes one event is sent as, built at most once per event and shared by
// every client that gets it: the raw payload, or the shared part of the
// envelope (`"subject":...,"ts":...,"payload":...}`) after each
// subscription's own `{"sub":"<id>",` head.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::websocket {

bool is_valid_utf8(std::string_view text);

// `{"sub":"<id>",` for a subscription id.
std::shared_ptr<const std::string> envelope_head(std::string_view subscription_id);

class EventBodies {
 public:
  EventBodies(std::string_view payload, std::string_view subject,
              std::optional<std::string_view> key, int64_t timestamp_ms, bool payload_is_json)
      : payload_(payload),
        subject_(subject),
        key_(key),
        timestamp_ms_(timestamp_ms),
        is_json_(payload_is_json) {}

  const std::shared_ptr<const std::string>& raw();
  // Raw frames go as text when the payload is JSON or UTF-8, else binary.
  bool raw_is_text();
  const std::shared_ptr<const std::string>& envelope();

 private:
  std::string_view payload_;
  std::string_view subject_;
  std::optional<std::string_view> key_;
  int64_t timestamp_ms_;
  bool is_json_;
  std::optional<bool> is_text_;
  std::shared_ptr<const std::string> raw_;
  std::shared_ptr<const std::string> envelope_;
};

}  // namespace sluice::websocket
