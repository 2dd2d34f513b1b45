// A message being assembled from AMQP frames on the I/O thread: its method
// frame (a delivery or a returned publish) arrived, its header and body
// frames follow.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "io_loop.hpp"

namespace sluice::rabbitmq {

struct IoLoop::Inbound {
  enum class Kind { kDelivery, kReturn } kind = Kind::kDelivery;
  uint64_t tag = 0;
  bool redelivered = false;
  std::string exchange;
  std::string routing_key;
  std::string return_text;
  bool have_header = false;
  uint64_t body_size = 0;
  std::string body;
  HeaderList headers;
  std::string reply_to;
  std::string correlation_id;
  std::optional<uint64_t> publish_seq;
  int64_t count = 1;
};

}  // namespace sluice::rabbitmq
