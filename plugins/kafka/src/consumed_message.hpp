// A consumed Kafka message as the host's C message: payload, key and topic
// point into the librdkafka message; headers and the partition and offset
// attributes live here. One per message of a batch handed over with
// emit_batch, so each keeps its own storage (do not move one once filled).
#pragma once

#include <librdkafka/rdkafka.h>
#include <sluice/plugin.h>

#include <vector>

namespace sluice::kafka {

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
