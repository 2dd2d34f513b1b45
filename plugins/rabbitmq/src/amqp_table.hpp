// AMQP field tables to and from JSON: queue/exchange/binding arguments from
// the config, message headers in both directions. OwnedTable keeps every
// byte an amqp_table_t points to, so it can be handed to rabbitmq-c.
#pragma once

#include <amqp.h>

#include <boost/json.hpp>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::rabbitmq {

class OwnedTable {
 public:
  OwnedTable() = default;
  // JSON strings become longstr, integers long (I64), numbers double,
  // booleans bool, mappings nested tables, lists arrays, null void.
  explicit OwnedTable(const boost::json::object& object);
  OwnedTable(const OwnedTable&) = delete;
  OwnedTable& operator=(const OwnedTable&) = delete;
  OwnedTable(OwnedTable&&) = default;
  OwnedTable& operator=(OwnedTable&&) = default;

  // Appends a string entry (a message header).
  void add_string(std::string_view key, std::string_view value);
  bool empty() const { return top_.empty(); }
  // Valid until this object changes or goes away.
  amqp_table_t table();

 private:
  amqp_bytes_t keep(std::string_view text);
  amqp_field_value_t value_of(const boost::json::value& v);
  amqp_table_t table_of(const boost::json::object& object);

  std::deque<std::string> strings_;
  std::deque<std::vector<amqp_table_entry_t>> tables_;
  std::deque<std::vector<amqp_field_value_t>> arrays_;
  std::vector<amqp_table_entry_t> top_;
};

// A field value as JSON (tables -> objects, arrays -> lists, timestamps ->
// seconds, decimals -> numbers, bytes -> strings).
boost::json::value field_to_json(const amqp_field_value_t& value);
boost::json::object table_to_json(const amqp_table_t& table);
// A field value as a header's text: strings as they are, numbers and
// booleans in JSON spelling, nested tables and arrays as JSON text.
std::string field_to_text(const amqp_field_value_t& value);

inline std::string_view to_view(amqp_bytes_t b) {
  return b.bytes ? std::string_view(static_cast<const char*>(b.bytes), b.len) : std::string_view();
}

// A string as rabbitmq-c's byte view of it (valid while the string is).
inline amqp_bytes_t to_bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

}  // namespace sluice::rabbitmq
