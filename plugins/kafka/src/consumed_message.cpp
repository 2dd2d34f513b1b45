#include "consumed_message.hpp"

#include <charconv>
#include <cstring>

namespace sluice::kafka {

const sluice_message& ConsumedMessage::fill(const rd_kafka_message_t* m) {
  headers_.clear();
  for_each_header(m, [&](std::string_view name, std::string_view value) {
    headers_.push_back(sluice_header{{name.data(), name.size()},
                                     {value.empty() ? "" : value.data(), value.size()}});
  });
  auto pe =
      std::to_chars(partition_text_, partition_text_ + sizeof partition_text_, m->partition).ptr;
  auto oe = std::to_chars(offset_text_, offset_text_ + sizeof offset_text_, m->offset).ptr;
  attributes_[0] = {{"partition", 9}, {partition_text_, static_cast<size_t>(pe - partition_text_)}};
  attributes_[1] = {{"offset", 6}, {offset_text_, static_cast<size_t>(oe - offset_text_)}};
  const char* topic = rd_kafka_topic_name(m->rkt);
  rd_kafka_timestamp_type_t ts_type;
  int64_t ts = rd_kafka_message_timestamp(m, &ts_type);

  out_ = sluice_message{};
  out_.struct_size = sizeof(sluice_message);
  out_.payload = {m->payload ? static_cast<const char*>(m->payload) : nullptr,
                  m->payload ? m->len : 0};
  out_.key = {m->key ? static_cast<const char*>(m->key) : nullptr, m->key ? m->key_len : 0};
  out_.subject = {topic, std::strlen(topic)};
  out_.headers = headers_.data();
  out_.header_count = headers_.size();
  out_.timestamp_ms = ts > 0 ? ts : 0;
  out_.attributes = attributes_;
  out_.attribute_count = 2;
  return out_;
}

}  // namespace sluice::kafka
