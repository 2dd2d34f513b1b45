// AMQP message <-> sluice message (see message_mapping.hpp).
#include "message_mapping.hpp"

#include <charconv>

namespace sluice::rabbitmq {

namespace {

struct StringProperty {
  const char* name;
  amqp_flags_t flag;
  amqp_bytes_t amqp_basic_properties_t::*field;
};

constexpr StringProperty kStringProperties[] = {
    {"content_type", AMQP_BASIC_CONTENT_TYPE_FLAG, &amqp_basic_properties_t::content_type},
    {"content_encoding", AMQP_BASIC_CONTENT_ENCODING_FLAG,
     &amqp_basic_properties_t::content_encoding},
    {"correlation_id", AMQP_BASIC_CORRELATION_ID_FLAG, &amqp_basic_properties_t::correlation_id},
    {"reply_to", AMQP_BASIC_REPLY_TO_FLAG, &amqp_basic_properties_t::reply_to},
    {"expiration", AMQP_BASIC_EXPIRATION_FLAG, &amqp_basic_properties_t::expiration},
    {"message_id", AMQP_BASIC_MESSAGE_ID_FLAG, &amqp_basic_properties_t::message_id},
    {"type", AMQP_BASIC_TYPE_FLAG, &amqp_basic_properties_t::type},
    {"user_id", AMQP_BASIC_USER_ID_FLAG, &amqp_basic_properties_t::user_id},
    {"app_id", AMQP_BASIC_APP_ID_FLAG, &amqp_basic_properties_t::app_id},
};

template <class T>
std::optional<T> number(std::string_view text) {
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

bool is_property_header(std::string_view name) {
  for (const auto& p : kStringProperties)
    if (name == p.name) return true;
  return name == "priority" || name == "timestamp" || name == "delivery_mode" ||
         name == "redelivered";
}

HeaderList headers_from_properties(const amqp_basic_properties_t& p) {
  HeaderList out;
  for (const auto& sp : kStringProperties)
    if (p._flags & sp.flag) out.emplace_back(sp.name, std::string(to_view(p.*sp.field)));
  if (p._flags & AMQP_BASIC_PRIORITY_FLAG) out.emplace_back("priority", std::to_string(p.priority));
  if (p._flags & AMQP_BASIC_TIMESTAMP_FLAG)
    out.emplace_back("timestamp", std::to_string(p.timestamp));
  if (p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG)
    out.emplace_back("delivery_mode", std::to_string(p.delivery_mode));
  if (p._flags & AMQP_BASIC_HEADERS_FLAG)
    for (int i = 0; i < p.headers.num_entries; ++i)
      out.emplace_back(std::string(to_view(p.headers.entries[i].key)),
                       field_to_text(p.headers.entries[i].value));
  return out;
}

int64_t delivery_count(const amqp_basic_properties_t& p, bool redelivered) {
  if (p._flags & AMQP_BASIC_HEADERS_FLAG)
    for (int i = 0; i < p.headers.num_entries; ++i)
      if (to_view(p.headers.entries[i].key) == "x-delivery-count") {
        auto v = field_to_json(p.headers.entries[i].value);
        if (v.is_int64()) return v.get_int64() + 1;
        if (v.is_uint64()) return static_cast<int64_t>(v.get_uint64()) + 1;
      }
  return redelivered ? 2 : 1;
}

amqp_bytes_t OutgoingProperties::keep(std::string value) {
  strings_.push_back(std::move(value));
  const std::string& s = strings_.back();
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

OutgoingProperties::OutgoingProperties(const HeaderList& headers,
                                       const OutgoingDefaults& defaults) {
  props_._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
  props_.delivery_mode =
      defaults.persistent ? AMQP_DELIVERY_PERSISTENT : AMQP_DELIVERY_NONPERSISTENT;
  for (const auto& [name, value] : headers) {
    bool done = false;
    for (const auto& sp : kStringProperties) {
      if (name != sp.name) continue;
      props_._flags |= sp.flag;
      props_.*sp.field = keep(value);
      done = true;
    }
    if (done || name == "redelivered") continue;
    if (name == "priority") {
      auto v = number<unsigned>(value);
      if (!v || *v > 255)
        problem_ = "header 'priority' must be a number 0..255, not '" + value + "'";
      else
        props_._flags |= AMQP_BASIC_PRIORITY_FLAG, props_.priority = static_cast<uint8_t>(*v);
    } else if (name == "timestamp") {
      if (auto v = number<uint64_t>(value))
        props_._flags |= AMQP_BASIC_TIMESTAMP_FLAG, props_.timestamp = *v;
      else
        problem_ = "header 'timestamp' must be seconds since the epoch, not '" + value + "'";
    } else if (name == "delivery_mode") {
      auto v = number<unsigned>(value);
      if (!v || (*v != 1 && *v != 2))
        problem_ = "header 'delivery_mode' must be 1 or 2, not '" + value + "'";
      else
        props_.delivery_mode = static_cast<uint8_t>(*v);
    } else {
      table_.add_string(name, value);
    }
  }
  if (!defaults.node_id_header.empty())
    table_.add_string(defaults.node_id_header, defaults.node_id);
}

void OutgoingProperties::set_reply_to(std::string value) {
  props_._flags |= AMQP_BASIC_REPLY_TO_FLAG;
  props_.reply_to = keep(std::move(value));
}

void OutgoingProperties::set_correlation_id(std::string value) {
  props_._flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
  props_.correlation_id = keep(std::move(value));
}

void OutgoingProperties::add_header(std::string_view name, std::string_view value) {
  table_.add_string(name, value);
}

const amqp_basic_properties_t& OutgoingProperties::properties() {
  if (!table_.empty()) {
    props_._flags |= AMQP_BASIC_HEADERS_FLAG;
    props_.headers = table_.table();
  }
  return props_;
}

HeaderList copy_headers(const MessageView& message) {
  HeaderList out;
  out.reserve(message.header_count());
  for (size_t i = 0; i < message.header_count(); ++i)
    out.emplace_back(std::string(message.header_name(i)), std::string(message.header_value(i)));
  return out;
}

}  // namespace sluice::rabbitmq
