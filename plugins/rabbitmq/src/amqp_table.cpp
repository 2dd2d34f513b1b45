// AMQP field tables to and from JSON (see amqp_table.hpp).
#include "amqp_table.hpp"

#include <cmath>

namespace sluice::rabbitmq {

OwnedTable::OwnedTable(const boost::json::object& object) {
  for (const auto& [key, value] : object) top_.push_back({keep(key), value_of(value)});
}

amqp_bytes_t OwnedTable::keep(std::string_view text) {
  strings_.emplace_back(text);
  const std::string& s = strings_.back();
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

void OwnedTable::add_string(std::string_view key, std::string_view value) {
  amqp_field_value_t v{};
  v.kind = AMQP_FIELD_KIND_UTF8;
  v.value.bytes = keep(value);
  top_.push_back({keep(key), v});
}

amqp_table_t OwnedTable::table_of(const boost::json::object& object) {
  tables_.emplace_back();
  auto& entries = tables_.back();
  for (const auto& [key, value] : object) entries.push_back({keep(key), value_of(value)});
  return amqp_table_t{static_cast<int>(entries.size()), entries.data()};
}

amqp_field_value_t OwnedTable::value_of(const boost::json::value& v) {
  amqp_field_value_t out{};
  switch (v.kind()) {
    case boost::json::kind::string:
      out.kind = AMQP_FIELD_KIND_UTF8;
      out.value.bytes = keep(v.get_string());
      break;
    case boost::json::kind::int64:
      out.kind = AMQP_FIELD_KIND_I64;
      out.value.i64 = v.get_int64();
      break;
    case boost::json::kind::uint64:
      out.kind = AMQP_FIELD_KIND_I64;
      out.value.i64 = static_cast<int64_t>(v.get_uint64());
      break;
    case boost::json::kind::double_:
      out.kind = AMQP_FIELD_KIND_F64;
      out.value.f64 = v.get_double();
      break;
    case boost::json::kind::bool_:
      out.kind = AMQP_FIELD_KIND_BOOLEAN;
      out.value.boolean = v.get_bool() ? 1 : 0;
      break;
    case boost::json::kind::object:
      out.kind = AMQP_FIELD_KIND_TABLE;
      out.value.table = table_of(v.get_object());
      break;
    case boost::json::kind::array: {
      std::vector<amqp_field_value_t> items;
      for (const auto& item : v.get_array()) items.push_back(value_of(item));
      arrays_.push_back(std::move(items));
      out.kind = AMQP_FIELD_KIND_ARRAY;
      out.value.array =
          amqp_array_t{static_cast<int>(arrays_.back().size()), arrays_.back().data()};
      break;
    }
    case boost::json::kind::null:
      out.kind = AMQP_FIELD_KIND_VOID;
      break;
  }
  return out;
}

amqp_table_t OwnedTable::table() {
  return amqp_table_t{static_cast<int>(top_.size()), top_.empty() ? nullptr : top_.data()};
}

boost::json::value field_to_json(const amqp_field_value_t& v) {
  switch (v.kind) {
    case AMQP_FIELD_KIND_BOOLEAN:
      return v.value.boolean != 0;
    case AMQP_FIELD_KIND_I8:
      return v.value.i8;
    case AMQP_FIELD_KIND_U8:
      return v.value.u8;
    case AMQP_FIELD_KIND_I16:
      return v.value.i16;
    case AMQP_FIELD_KIND_U16:
      return v.value.u16;
    case AMQP_FIELD_KIND_I32:
      return v.value.i32;
    case AMQP_FIELD_KIND_U32:
      return v.value.u32;
    case AMQP_FIELD_KIND_I64:
      return v.value.i64;
    case AMQP_FIELD_KIND_U64:
    case AMQP_FIELD_KIND_TIMESTAMP:
      return v.value.u64;
    case AMQP_FIELD_KIND_F32:
      return static_cast<double>(v.value.f32);
    case AMQP_FIELD_KIND_F64:
      return v.value.f64;
    case AMQP_FIELD_KIND_DECIMAL:
      return static_cast<double>(v.value.decimal.value) / std::pow(10.0, v.value.decimal.decimals);
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES:
      return boost::json::string(to_view(v.value.bytes));
    case AMQP_FIELD_KIND_ARRAY: {
      boost::json::array out;
      for (int i = 0; i < v.value.array.num_entries; ++i)
        out.push_back(field_to_json(v.value.array.entries[i]));
      return out;
    }
    case AMQP_FIELD_KIND_TABLE:
      return table_to_json(v.value.table);
    default:
      return nullptr;
  }
}

boost::json::object table_to_json(const amqp_table_t& table) {
  boost::json::object out;
  for (int i = 0; i < table.num_entries; ++i)
    out[to_view(table.entries[i].key)] = field_to_json(table.entries[i].value);
  return out;
}

std::string field_to_text(const amqp_field_value_t& v) {
  if (v.kind == AMQP_FIELD_KIND_UTF8 || v.kind == AMQP_FIELD_KIND_BYTES)
    return std::string(to_view(v.value.bytes));
  if (v.kind == AMQP_FIELD_KIND_VOID) return "";
  return boost::json::serialize(field_to_json(v));
}

}  // namespace sluice::rabbitmq
