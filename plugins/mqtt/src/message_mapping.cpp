// MQTT <-> sluice message mapping (see message_mapping.hpp).
#include "message_mapping.hpp"

#include <charconv>

namespace sluice::mqtt {

void Properties::add_string(MQTTPropertyCodes code, std::string_view value) {
  MQTTProperty prop{};
  prop.identifier = code;
  prop.value.data.data = const_cast<char*>(value.data());
  prop.value.data.len = static_cast<int>(value.size());
  MQTTProperties_add(&p_, &prop);
}

void Properties::add_pair(std::string_view name, std::string_view value) {
  MQTTProperty prop{};
  prop.identifier = MQTTPROPERTY_CODE_USER_PROPERTY;
  prop.value.data.data = const_cast<char*>(name.data());
  prop.value.data.len = static_cast<int>(name.size());
  prop.value.value.data = const_cast<char*>(value.data());
  prop.value.value.len = static_cast<int>(value.size());
  MQTTProperties_add(&p_, &prop);
}

void Properties::add_int(MQTTPropertyCodes code, int value) {
  MQTTProperty prop{};
  prop.identifier = code;
  switch (MQTTProperty_getType(code)) {
    case MQTTPROPERTY_TYPE_BYTE:
      prop.value.byte = static_cast<unsigned char>(value);
      break;
    case MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER:
      prop.value.integer2 = static_cast<unsigned short>(value);
      break;
    default:
      prop.value.integer4 = static_cast<unsigned int>(value);
  }
  MQTTProperties_add(&p_, &prop);
}

std::optional<std::string_view> string_property(const MQTTProperties& props,
                                                MQTTPropertyCodes code) {
  for (int i = 0; i < props.count; ++i)
    if (props.array[i].identifier == code)
      return std::string_view(props.array[i].value.data.data, props.array[i].value.data.len);
  return std::nullopt;
}

void incoming_headers(const MQTTAsync_message& m, std::string& scratch,
                      std::vector<std::pair<std::string_view, std::string_view>>& headers) {
  static constexpr std::string_view kQos[] = {"0", "1", "2"};
  headers.emplace_back(kQosHeader, kQos[m.qos >= 0 && m.qos <= 2 ? m.qos : 0]);
  if (m.retained) headers.emplace_back(kRetainHeader, "true");
  if (m.dup) headers.emplace_back(kDupHeader, "true");
  scratch.clear();
  scratch.reserve(24);  // no reallocation: views into it stay valid
  for (int i = 0; i < m.properties.count; ++i) {
    const MQTTProperty& p = m.properties.array[i];
    std::string_view data(p.value.data.data, p.value.data.data ? p.value.data.len : 0);
    switch (p.identifier) {
      case MQTTPROPERTY_CODE_USER_PROPERTY:
        headers.emplace_back(data, std::string_view(p.value.value.data, p.value.value.len));
        break;
      case MQTTPROPERTY_CODE_CONTENT_TYPE:
        headers.emplace_back(kContentTypeHeader, data);
        break;
      case MQTTPROPERTY_CODE_RESPONSE_TOPIC:
        headers.emplace_back(kResponseTopicHeader, data);
        break;
      case MQTTPROPERTY_CODE_CORRELATION_DATA:
        headers.emplace_back(kCorrelationHeader, data);
        break;
      case MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR:
        headers.emplace_back(kPayloadFormatHeader, p.value.byte ? "utf-8" : "bytes");
        break;
      case MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL: {
        size_t start = scratch.size();
        scratch += std::to_string(p.value.integer4);
        headers.emplace_back(kExpiryHeader,
                             std::string_view(scratch).substr(start, scratch.size() - start));
        break;
      }
      default:
        break;
    }
  }
}

namespace {

bool parse_bool(std::string_view v, bool& out) {
  if (v == "true" || v == "1") return out = true, true;
  if (v == "false" || v == "0") return out = false, true;
  return false;
}

}  // namespace

std::string outgoing_from(const MessageView& message, bool v5, Outgoing& out) {
  for (size_t i = 0; i < message.header_count(); ++i) {
    std::string_view name = message.header_name(i);
    std::string_view value = message.header_value(i);
    if (name == kQosHeader) {
      if (value != "0" && value != "1" && value != "2")
        return "header 'mqtt-qos' is '" + std::string(value) + "': use 0, 1 or 2";
      out.qos = value[0] - '0';
    } else if (name == kRetainHeader) {
      if (!parse_bool(value, out.retain))
        return "header 'mqtt-retain' is '" + std::string(value) + "': use true or false";
    } else if (name == kDupHeader || name == kPayloadFormatHeader) {
      // describes the incoming message; the broker sets it anew
    } else if (!v5) {
      // MQTT 3.1.1 has no properties: other headers are not carried
    } else if (name == kContentTypeHeader) {
      out.properties.add_string(MQTTPROPERTY_CODE_CONTENT_TYPE, value);
    } else if (name == kResponseTopicHeader) {
      out.properties.add_string(MQTTPROPERTY_CODE_RESPONSE_TOPIC, value);
    } else if (name == kCorrelationHeader) {
      out.properties.add_string(MQTTPROPERTY_CODE_CORRELATION_DATA, value);
    } else if (name == kExpiryHeader) {
      unsigned int seconds = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec != std::errc() || end != value.data() + value.size())
        return "header 'mqtt-message-expiry' is '" + std::string(value) + "': use seconds";
      out.properties.add_int(MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL, static_cast<int>(seconds));
    } else {
      out.properties.add_pair(name, value);
    }
  }
  return "";
}

std::string encode_reply_to(std::string_view response_topic, std::string_view correlation) {
  // <correlation length>:<correlation><topic>: the correlation data is binary.
  std::string out = std::to_string(correlation.size());
  out += ':';
  out.append(correlation).append(response_topic);
  return out;
}

bool decode_reply_to(std::string_view reply_to, std::string& response_topic,
                     std::string& correlation) {
  size_t colon = reply_to.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  size_t len = 0;
  auto [end, ec] = std::from_chars(reply_to.data(), reply_to.data() + colon, len);
  if (ec != std::errc() || end != reply_to.data() + colon) return false;
  if (reply_to.size() - colon - 1 < len) return false;
  correlation.assign(reply_to.substr(colon + 1, len));
  response_topic.assign(reply_to.substr(colon + 1 + len));
  return !response_topic.empty();
}

}  // namespace sluice::mqtt
