// How an MQTT message becomes a sluice message (topic = subject, QoS,
// retain, dup and the v5 properties as headers) and how a sluice message
// becomes an MQTT publish (headers to properties, QoS/retain overrides).
#pragma once

#include <MQTTAsync.h>

#include <cstdint>
#include <optional>
#include <sluice/plugin.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::mqtt {

// Header names sluice reads and writes; any other header of a v5 message is
// a user property.
inline constexpr std::string_view kQosHeader = "mqtt-qos";
inline constexpr std::string_view kRetainHeader = "mqtt-retain";
inline constexpr std::string_view kDupHeader = "mqtt-dup";
inline constexpr std::string_view kContentTypeHeader = "content-type";
inline constexpr std::string_view kResponseTopicHeader = "mqtt-response-topic";
inline constexpr std::string_view kCorrelationHeader = "mqtt-correlation-data";
inline constexpr std::string_view kExpiryHeader = "mqtt-message-expiry";
inline constexpr std::string_view kPayloadFormatHeader = "mqtt-payload-format";

// Owns an MQTTProperties list (paho copies what is added to it).
class Properties {
 public:
  Properties() = default;
  Properties(Properties&& o) noexcept : p_(std::exchange(o.p_, MQTTProperties_initializer)) {}
  Properties& operator=(Properties&& o) noexcept {
    if (this != &o) {
      MQTTProperties_free(&p_);
      p_ = std::exchange(o.p_, MQTTProperties_initializer);
    }
    return *this;
  }
  Properties(const Properties&) = delete;
  Properties& operator=(const Properties&) = delete;
  ~Properties() { MQTTProperties_free(&p_); }

  void add_string(MQTTPropertyCodes code, std::string_view value);
  void add_pair(std::string_view name, std::string_view value);  // user property
  void add_int(MQTTPropertyCodes code, int value);
  MQTTProperties* get() { return &p_; }
  int count() const { return p_.count; }

 private:
  MQTTProperties p_ = MQTTProperties_initializer;
};

// An incoming message's headers, viewing into `message` (and `scratch` for
// numbers); valid while both live.
void incoming_headers(const MQTTAsync_message& message, std::string& scratch,
                      std::vector<std::pair<std::string_view, std::string_view>>& headers);

// The first property `code` of `props` as a string view (binary or UTF-8), if any.
std::optional<std::string_view> string_property(const MQTTProperties& props,
                                                MQTTPropertyCodes code);

// One publish, owning its data: it may wait in the offline buffer.
struct Outgoing {
  std::string topic;
  std::string payload;
  int qos = 1;
  bool retain = false;
  Properties properties;
};

// Reads the QoS/retain overrides and the v5 properties of `message` into
// `out` (v5 only for properties); returns why a header is invalid, or "".
std::string outgoing_from(const MessageView& message, bool v5, Outgoing& out);

// Encodes/decodes the opaque reply handle of a v5 request: response topic
// and correlation data in one string the host hands back to reply().
std::string encode_reply_to(std::string_view response_topic, std::string_view correlation);
bool decode_reply_to(std::string_view reply_to, std::string& response_topic,
                     std::string& correlation);

}  // namespace sluice::mqtt
