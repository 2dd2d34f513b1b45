// How an AMQP message maps onto a sluice message and back. Incoming: the
// basic properties become headers named after them (content_type,
// correlation_id, message_id, priority, timestamp, ...), the headers table's
// entries become headers too (nested tables as JSON), and `redelivered` says
// whether the broker delivered it before. Outgoing: headers with those
// property names set the properties; every other header goes into the
// headers table.
#pragma once

#include <amqp.h>

#include <cstdint>
#include <optional>
#include <sluice/plugin.hpp>
#include <string>
#include <utility>
#include <vector>

#include "amqp_table.hpp"

namespace sluice::rabbitmq {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// True for header names that stand for an AMQP basic property.
bool is_property_header(std::string_view name);

// The properties (and headers table) of a received message as headers, in a
// stable order: properties first, then the table's entries.
HeaderList headers_from_properties(const amqp_basic_properties_t& properties);

// The delivery count a message carries: quorum queues' x-delivery-count + 1,
// else 2 if redelivered, else 1.
int64_t delivery_count(const amqp_basic_properties_t& properties, bool redelivered);

struct OutgoingDefaults {
  bool persistent = true;
  std::string node_id_header;  // empty: none
  std::string node_id;
};

// Basic properties built from a message's headers. Owns every byte the
// properties point to; `properties` stays valid as long as this object.
class OutgoingProperties {
 public:
  OutgoingProperties() = default;
  OutgoingProperties(const HeaderList& headers, const OutgoingDefaults& defaults);
  OutgoingProperties(const OutgoingProperties&) = delete;
  OutgoingProperties& operator=(const OutgoingProperties&) = delete;
  OutgoingProperties(OutgoingProperties&&) = default;
  OutgoingProperties& operator=(OutgoingProperties&&) = default;

  void set_reply_to(std::string value);
  void set_correlation_id(std::string value);
  // Adds a string to the headers table (before properties() is called).
  void add_header(std::string_view name, std::string_view value);
  // Problems found reading the headers (e.g. a priority that is no number).
  const std::string& problem() const { return problem_; }

  // Finalised properties; valid until this object changes or goes away.
  const amqp_basic_properties_t& properties();

 private:
  amqp_bytes_t keep(std::string value);

  amqp_basic_properties_t props_{};
  std::deque<std::string> strings_;
  OwnedTable table_;
  std::string problem_;
};

// The headers of a MessageView, copied.
HeaderList copy_headers(const MessageView& message);

}  // namespace sluice::rabbitmq
