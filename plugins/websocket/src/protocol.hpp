// The client protocol's control frames: JSON text frames `subscribe`,
// `unsubscribe` and `ping` from the client, and `subscribed`,
// `unsubscribed`, `pong` and `error` answers. Parsing is strict (unknown
// fields are errors) so that a typo never silently widens a subscription.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sluice::websocket {

// What the client asks of a subscription's throttle; the config caps it.
struct ThrottleRequest {
  std::optional<double> rate;
  std::optional<double> burst;
  std::optional<int64_t> min_interval_ms;
  std::optional<bool> keep_latest;
  std::optional<int64_t> buffer;
};

struct SubscribeRequest {
  std::string id;
  std::map<std::string, std::vector<std::string>> fields;  // index name -> accepted values
  std::optional<std::string> subject;                      // subject pattern
  ThrottleRequest throttle;
};

struct UnsubscribeRequest {
  std::string id;
};

struct PingRequest {
  std::string id_json;  // echoed back as is ("" = none)
};

using ControlFrame = std::variant<SubscribeRequest, UnsubscribeRequest, PingRequest>;

// An `error` answer. Codes: bad_json, bad_frame, unknown_type, unknown_field,
// bad_filter, forbidden, duplicate_id, unknown_subscription,
// too_many_subscriptions.
struct ProtocolError {
  std::string code;
  std::string message;
  std::string id;  // the subscription id concerned, when known
};

constexpr size_t kMaxSubscriptionIdBytes = 64;

std::variant<ControlFrame, ProtocolError> parse_control_frame(std::string_view text,
                                                              size_t max_filter_values);

// Answers, as JSON text.
std::string error_frame(const ProtocolError& error);
std::string unsubscribed_frame(std::string_view id);
std::string pong_frame(std::string_view id_json, int64_t unix_ms);

}  // namespace sluice::websocket
