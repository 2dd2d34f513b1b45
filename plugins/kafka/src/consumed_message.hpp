// A consumed Kafka message as the host's C message: payload, key and topic
// point into the librdkafka message; headers and the partition and offset
// attributes live here. One per message of a batch handed over with
// emit_batch, so each keeps its own storage (do not move one once filled).
#pragma once

#include <librdkafka/rdkafka.h>
#include <sluice/plugin.h>

#include <string_view>
#include <vector>

namespace sluice::kafka {

// Calls f(name, value) for each header of `m`, in order (value "" when
// the header has none).
template <class F>
void for_each_header(const rd_kafka_message_t* m, F&& f) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  const char* name;
  const void* value;
  size_t size;
  for (size_t i = 0;
       rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
    f(std::string_view(name),
      value ? std::string_view(static_cast<const char*>(value), size) : std::string_view());
}

class ConsumedMessage {
 public:
  ConsumedMessage() = default;
  ConsumedMessage(const ConsumedMessage&) = delete;
  ConsumedMessage& operator=(const ConsumedMessage&) = delete;

  // Valid while `m` lives and this object stays where it is.
  const sluice_message& fill(const rd_kafka_message_t* m);

 private:
  sluice_message out_{};
  std::vector<sluice_header> headers_;
  char partition_text_[16] = {};
  char offset_text_[24] = {};
  sluice_header attributes_[2] = {};
};

}  // namespace sluice::kafka
